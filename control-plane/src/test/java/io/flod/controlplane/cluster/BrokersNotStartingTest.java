package io.flod.controlplane.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.flod.controlplane.node.ClusterNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What an operation that cannot finish names: the nodes whose broker fails, and why. */
class BrokersNotStartingTest {
  private static final UUID CLUSTER = UUID.randomUUID();
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  private static ClusterNode node(int id, String state, Integer exit, String error) {
    ClusterNode node = new ClusterNode(CLUSTER, "node-" + id, id, "z1", "ud", "h" + id, NOW);
    node.registered("127.0.0.1", 9000 + id, 0, NOW);
    node.heartbeat(state, 2, 0, 0, 0, false, 0, 0, exit, error, NOW);
    return node;
  }

  @Test
  void aCrashLoopingBrokerThatIsNotLiveIsNamedWithItsCause() {
    List<NodePlan.DesiredNode> desired =
        List.of(
            new NodePlan.DesiredNode("node-0", 0, "z1", "ud"),
            new NodePlan.DesiredNode("node-1", 1, "z1", "ud"),
            new NodePlan.DesiredNode("node-2", 2, "z1", "ud"));
    Map<String, ClusterNode> rows =
        Map.of(
            "node-0", node(0, "running", 137, "killed by signal 9"),
            "node-1", node(1, "crashLooping", 1, "permission denied: /d/broker/meta"),
            "node-2", node(2, "starting", null, null));
    assertEquals(
        "node-1: broker crashLooping (exit 1): permission denied: /d/broker/meta",
        ClusterReconciler.brokersNotStarting(desired, rows, Set.of(0)));
    assertNull(
        ClusterReconciler.brokersNotStarting(desired, rows, Set.of(0, 1)),
        "a live broker blocks nothing");
  }

  @Test
  void theBoundPortsReplaceTheRegisteredOnes() {
    ClusterNode node = node(0, "running", null, null);
    assertEquals("127.0.0.1:9000", node.bootstrapAddress());
    node.heartbeat("running", 0, 0, 0, 0, false, 40123, 40124, null, null, NOW);
    assertEquals("127.0.0.1:40123", node.bootstrapAddress());
    assertEquals("http://127.0.0.1:40124", node.httpEndpoint(false));
    node.heartbeat("running", 0, 0, 0, 0, false, 0, 0, null, null, NOW);
    assertEquals("127.0.0.1:40123", node.bootstrapAddress(), "0: not known, kept");
  }
}
