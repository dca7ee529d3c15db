package io.flod.broker.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flod.broker.support.BrokerProcess;
import io.flod.broker.support.ClusterTest;
import io.flod.broker.support.SteadyProducer;
import io.flod.broker.support.TestCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * ZooKeeper dies first (its host crashed, or the {@code bin/flod up} that embedded it was killed)
 * and stays away past the brokers' session timeout, then brokers leading partitions under load get
 * SIGTERM: each process ends within 15 s, and still closes its logs cleanly (the clean-shutdown
 * marker is there), because a shutdown never waits on ZooKeeper for long. The Helix controller,
 * whose ZooKeeper is gone too, also stops within seconds.
 */
class ShutdownWithoutZooKeeperIT extends ClusterTest {
  private static final String TOPIC = "orders";
  private static final long STOP_WITHIN_MS = 15_000;

  @Test
  void brokersAndControllerStopWithinSecondsWhenZooKeeperIsGone() throws Exception {
    cluster = TestCluster.start(dir, "no-zk-stop-it", 2, "zookeeper.session.timeout.ms=4000");
    cluster.createTopic(TOPIC, 2, 2, Map.of());
    SteadyProducer producer = SteadyProducer.start(cluster.bootstrap(), TOPIC, 2);
    try {
      producer.awaitMoreAcks(100, Duration.ofSeconds(30));
      cluster.stopZooKeeper();
      // As in the incident: ZooKeeper long gone, the brokers' sessions given up as expired.
      for (int id = 1; id <= 2; id++) {
        Path log = cluster.broker(id).logFile();
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> Files.readString(log).contains("KeeperState:Expired"));
      }

      List<CompletableFuture<Long>> stops = new ArrayList<>();
      for (int id = 1; id <= 2; id++) {
        BrokerProcess broker = cluster.broker(id);
        stops.add(CompletableFuture.supplyAsync(() -> millisToStop(broker)));
      }
      long controllerStart = System.nanoTime();
      CompletableFuture<Long> controllerStop =
          CompletableFuture.supplyAsync(
              () -> {
                cluster.controller().close();
                return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - controllerStart);
              });
      for (int id = 1; id <= 2; id++) {
        long ms = stops.get(id - 1).get(STOP_WITHIN_MS + 30_000, TimeUnit.MILLISECONDS);
        assertTrue(ms < STOP_WITHIN_MS, "broker " + id + " stopped " + ms + " ms after SIGTERM");
        assertTrue(
            Files.exists(cluster.dataDir(id).resolve("logs/.clean-shutdown")),
            "broker " + id + " closed its logs cleanly");
      }
      long controllerMs = controllerStop.get(60, TimeUnit.SECONDS);
      assertTrue(
          controllerMs < STOP_WITHIN_MS,
          "the controller stopped in " + controllerMs + " ms without ZooKeeper");
    } finally {
      producer.abandon();
    }
  }

  /**
   * SIGTERM, then the time until the process is gone (SIGKILL, with a thread dump in its log, 5 s
   * past the limit).
   */
  private static long millisToStop(BrokerProcess broker) {
    long start = System.nanoTime();
    try {
      broker.terminate(Duration.ofMillis(STOP_WITHIN_MS + 5_000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IllegalStateException stillRunning) {
      return Long.MAX_VALUE;
    }
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
  }
}
