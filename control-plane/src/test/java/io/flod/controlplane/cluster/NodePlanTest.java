package io.flod.controlplane.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What a scale means, decided once for the reconciler and the API's dry run. */
class NodePlanTest {
  @Test
  void scalingOutAddsTheMissingNodesAndScalingInRetiresTheHighestOnes() {
    List<NodePlan.DesiredNode> five = NodePlan.desired(5, List.of("z1", "z2", "z3"), 3);
    assertEquals(
        new NodePlan.Change(List.of("node-3", "node-4"), List.of()),
        NodePlan.change(List.of("node-0", "node-1", "node-2"), five));
    List<NodePlan.DesiredNode> two = NodePlan.desired(2, List.of("z1", "z2", "z3"), 3);
    assertEquals(
        new NodePlan.Change(List.of(), List.of("node-2", "node-3", "node-4")),
        NodePlan.change(List.of("node-4", "node-0", "node-3", "node-1", "node-2"), two));
  }

  @Test
  void aNodeLostInTheMiddleIsMadeAgainUnderItsName() {
    List<NodePlan.DesiredNode> three = NodePlan.desired(3, List.of("z1"), 1);
    assertEquals(
        new NodePlan.Change(List.of("node-1"), List.of()),
        NodePlan.change(List.of("node-0", "node-2"), three));
    assertEquals(1, NodePlan.brokerIdOf(NodePlan.nodeName(1)));
  }
}
