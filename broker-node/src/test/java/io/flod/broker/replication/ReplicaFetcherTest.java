package io.flod.broker.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flod.broker.config.BrokerConfig;
import io.flod.broker.config.TopicConfigs;
import io.flod.broker.log.LogManager;
import io.flod.broker.partition.Partition;
import io.flod.broker.partition.PartitionManager;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplicaFetcherTest {
  private static final int MAX_FRAME_BYTES = 1 << 20;
  @TempDir Path dir;
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
  }

  /**
   * A leader that answers the first request with a size prefix of 2 GiB: the fetcher must not try
   * to allocate it, but drop the connection and keep running.
   */
  @Test
  void aResponseFrameOverTheLimitClosesTheConnectionAndTheFetcherLives() throws Exception {
    LogManager logs = new LogManager(dir.resolve("logs"), Clock.systemUTC(), scheduler);
    Partition partition =
        new PartitionManager(
                logs,
                new TopicConfigs(BrokerConfig.from(Map.of(), Map.of())),
                null,
                null,
                scheduler,
                2,
                false)
            .open(new TopicPartition("t", 0), Map.of());
    ReplicaFetchers owner =
        new ReplicaFetchers(
            2,
            null,
            null,
            scheduler,
            100,
            1 << 16,
            MAX_FRAME_BYTES,
            new PeerSecurity(() -> null, null));
    try (ServerSocket leader = new ServerSocket(0)) {
      CompletableFuture<Long> closedByFetcher =
          CompletableFuture.supplyAsync(
              () -> {
                try (Socket connection = leader.accept()) {
                  DataInputStream in = new DataInputStream(connection.getInputStream());
                  in.readFully(new byte[in.readInt()]); // the fetch request
                  DataOutputStream out = new DataOutputStream(connection.getOutputStream());
                  out.writeInt(Integer.MAX_VALUE);
                  out.flush();
                  long sent = System.nanoTime();
                  connection.setSoTimeout(10_000);
                  assertEquals(-1, in.read(), "the fetcher closes the connection");
                  return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
                } catch (IOException e) {
                  throw new IllegalStateException(e);
                }
              });
      ReplicaFetcher fetcher =
          new ReplicaFetcher(
              2,
              1,
              new InetSocketAddress("127.0.0.1", leader.getLocalPort()),
              owner,
              100,
              1 << 16,
              MAX_FRAME_BYTES,
              new PeerSecurity(() -> null, null));
      fetcher.add(partition, 0);
      fetcher.start();
      try {
        long closedAfterMs = closedByFetcher.get(15, TimeUnit.SECONDS);
        assertTrue(closedAfterMs < 5_000, "closed after " + closedAfterMs + " ms");
        assertTrue(fetcher.isAlive(), "the fetcher thread survives a hostile frame");
      } finally {
        fetcher.shutdown();
        fetcher.join(5_000);
      }
    } finally {
      logs.close();
    }
  }
}
