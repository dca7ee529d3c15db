package io.flod.broker.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flod.broker.support.ClusterTest;
import io.flod.broker.support.ReplicaLogs;
import io.flod.broker.support.SteadyProducer;
import io.flod.broker.support.TestCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * Three brokers in their own JVMs on an embedded ZooKeeper, with the Helix controller and leader
 * elector in this JVM. An idempotent acks=all producer writes unique values while the leader of the
 * partition is SIGKILLed and restarted, five times. Every acknowledged record must then be read
 * back at its acknowledged offset with the same bytes, with no duplicates, and the three replicas'
 * logs must be identical up to the last acknowledged offset.
 */
class ReplicationFailoverIT extends ClusterTest {
  private static final String TOPIC = "orders";
  private static final TopicPartition TP = new TopicPartition(TOPIC, 0);

  @Test
  void acknowledgedRecordsSurviveFiveLeaderKills() throws Exception {
    cluster =
        TestCluster.start(
            dir,
            "failover-it",
            3,
            "zookeeper.session.timeout.ms=4000",
            "replica.lag.time.max.ms=3000");
    cluster.createTopic(TOPIC, 1, 3, Map.of("min.insync.replicas", "2"));

    SteadyProducer producer = SteadyProducer.start(cluster.bootstrap(), TOPIC, 1);
    try {
      for (int kill = 1; kill <= 5; kill++) {
        producer.awaitMoreAcks(200, Duration.ofSeconds(30));
        long killed = System.nanoTime();
        int leader = cluster.killLeaderAndAwaitAnother(TOPIC, 0);
        // No node agent here to report the death: the ZooKeeper session (4 s) has to run out.
        System.out.printf(
            "MEASURED leadership gap after SIGKILL without the agent's fast detection"
                + " (session timeout 4 s): %.2f s%n",
            (System.nanoTime() - killed) / 1e9);
        producer.awaitMoreAcks(200, Duration.ofSeconds(60));
        cluster.startBroker(leader);
        await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(200))
            .ignoreExceptions()
            .until(() -> cluster.describe(TOPIC, 0).isr().size() == 3);
      }
    } finally {
      producer.close();
    }
    assertTrue(producer.ackedCount() > 2_000, "acknowledged " + producer.ackedCount());
    producer.assertEveryAckedRecordReadBack(cluster.bootstrap());

    // After healing, the three replicas hold the same batches up to the last acknowledged offset.
    long end = producer.ackedEnd(TP);
    List<List<String>> replicaLogs = new ArrayList<>();
    for (int id = 1; id <= 3; id++) {
      replicaLogs.add(ReplicaLogs.batchesBelow(cluster.dataDir(id).resolve("logs/orders-0"), end));
    }
    assertEquals(replicaLogs.get(0), replicaLogs.get(1), "replicas 1 and 2 differ");
    assertEquals(replicaLogs.get(0), replicaLogs.get(2), "replicas 1 and 3 differ");
  }
}
