package io.flod.broker.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flod.broker.cluster.ClusterController;
import io.flod.broker.support.ClusterTest;
import io.flod.broker.support.SteadyProducer;
import io.flod.broker.support.TestCluster;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Two controllers for one cluster, as two control-plane instances run them: exactly one is active
 * at a time; when it stops, the standby takes over and elects a new leader for a partition whose
 * leader is then killed, while an acks=all producer goes on.
 */
class ControllerStandbyIT extends ClusterTest {
  private static final String TOPIC = "orders";

  @Test
  void oneControllerIsActiveAndTheStandbyTakesOver() throws Exception {
    cluster =
        TestCluster.start(
            dir,
            "standby-it",
            3,
            "zookeeper.session.timeout.ms=4000",
            "replica.lag.time.max.ms=3000");
    try (ClusterController second = ClusterController.start(cluster.zkConnect(), "standby-it")) {
      ClusterController first = cluster.controller();
      await().atMost(Duration.ofSeconds(30)).until(() -> first.isLeader() != second.isLeader());
      ClusterController active = first.isLeader() ? first : second;
      ClusterController standby = active == first ? second : first;
      cluster.createTopic(TOPIC, 1, 3, Map.of("min.insync.replicas", "2"));

      SteadyProducer producer = SteadyProducer.start(cluster.bootstrap(), TOPIC, 1);
      try {
        producer.awaitMoreAcks(200, Duration.ofSeconds(30));
        active.close();
        await().atMost(Duration.ofSeconds(30)).until(standby::isLeader);

        cluster.killLeaderAndAwaitAnother(TOPIC, 0);
        producer.awaitMoreAcks(200, Duration.ofSeconds(60));
      } finally {
        producer.close();
      }
      assertTrue(standby.isLeader(), "the former standby is still the active controller");
      producer.assertEveryAckedRecordReadBack(cluster.bootstrap());
    }
  }
}
