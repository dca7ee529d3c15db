package io.flod.controlplane.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flod.controlplane.cluster.HealingPlan.Decision;
import io.flod.controlplane.cluster.HealingPlan.MachineState;
import io.flod.controlplane.cluster.HealingPlan.Node;
import io.flod.controlplane.cluster.HealingPlan.Replicas;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One test per rule of {@link HealingPlan}. */
class HealingPlanTest {
  private static Node up(int id) {
    return new Node("node-" + id, id, MachineState.RUNNING, false, true);
  }

  private static Node hung(int id) {
    return new Node("node-" + id, id, MachineState.RUNNING, true, false);
  }

  private static Node stopped(int id) {
    return new Node("node-" + id, id, MachineState.STOPPED, true, false);
  }

  private static Node booting(int id) {
    return new Node("node-" + id, id, MachineState.RUNNING, false, false);
  }

  /** Every partition fully replicated on 0..2 and in sync. */
  private static final List<Replicas> IN_SYNC =
      List.of(
          new Replicas("orders-0", List.of(0, 1, 2), List.of(0, 1, 2)),
          new Replicas("orders-1", List.of(1, 2, 0), List.of(1, 2, 0)));

  @Test
  void nothingSilentNothingToDo() {
    Decision d = HealingPlan.decide(List.of(up(0), up(1), up(2)), IN_SYNC, null);
    assertEquals(new Decision(null, List.of(), null, false), d);
  }

  @Test
  void aHungMachineWhoseReplicasAreInSyncElsewhereIsReplaced() {
    Decision d = HealingPlan.decide(List.of(up(0), hung(1), up(2)), IN_SYNC, null);
    assertEquals("node-1", d.replace());
    assertNull(d.waiting());
    assertFalse(d.paused());
  }

  @Test
  void aStoppedMachineIsRestartedInPlaceNeverReplaced() {
    Decision d = HealingPlan.decide(List.of(up(0), stopped(1), up(2)), IN_SYNC, null);
    assertNull(d.replace());
    assertEquals(List.of("node-1"), d.restartInPlace());
  }

  @Test
  void aSilentNodeWhoseBrokerIsLiveIsNotReplaced() {
    Node cutOffAgent = new Node("node-1", 1, MachineState.RUNNING, true, true);
    Decision d = HealingPlan.decide(List.of(up(0), cutOffAgent, up(2)), IN_SYNC, null);
    assertNull(d.replace());
    assertNull(d.waiting());
  }

  @Test
  void mostOfTheClusterSilentIsAPartitionAndPausesHealing() {
    Decision d = HealingPlan.decide(List.of(hung(0), hung(1), hung(2)), IN_SYNC, null);
    assertNull(d.replace());
    assertTrue(d.paused());
    assertEquals(
        "healing paused: 3 of 3 nodes silent, treating as a network partition or outage",
        d.waiting());
  }

  @Test
  void aPartitionJustBeginningIsNotMistakenForOneDeadMachine() {
    // Every agent stopped at once; node-0 crossed the grace period first, the others are quiet
    // (half the grace period) and their brokers' sessions have not expired yet.
    Node quiet1 = new Node("node-1", 1, MachineState.RUNNING, false, true, true);
    Node quiet2 = new Node("node-2", 2, MachineState.RUNNING, false, true, true);
    Decision d = HealingPlan.decide(List.of(hung(0), quiet1, quiet2), IN_SYNC, null);
    assertNull(d.replace());
    assertTrue(d.paused());
    assertTrue(d.waiting().contains("3 of 3 nodes silent"), d.waiting());
  }

  @Test
  void oneQuietNodeBesideAHungOneIsNotMost() {
    Node quiet2 = new Node("node-2", 2, MachineState.RUNNING, false, true, true);
    List<Node> nodes = List.of(up(0), hung(1), quiet2, up(3), up(4));
    Decision d = HealingPlan.decide(nodes, IN_SYNC, null);
    assertEquals("node-1", d.replace());
  }

  @Test
  void twoOfThreeSilentIsMoreThanHalf() {
    Decision d = HealingPlan.decide(List.of(hung(0), up(1), hung(2)), IN_SYNC, null);
    assertNull(d.replace());
    assertTrue(d.waiting().contains("2 of 3 nodes silent"), d.waiting());
  }

  @Test
  void halfSilentIsNotMostAndTheFirstSafeOneIsReplaced() {
    List<Replicas> spread =
        List.of(
            new Replicas("t-0", List.of(0, 2, 1), List.of(0, 2, 1)),
            new Replicas("t-1", List.of(3, 1, 2), List.of(3, 1, 2)));
    Decision d = HealingPlan.decide(List.of(hung(0), up(1), up(2), hung(3)), spread, null);
    assertEquals("node-0", d.replace());
  }

  @Test
  void stoppedMachinesCountTowardsAnOutageButAreStillRestarted() {
    Decision d = HealingPlan.decide(List.of(stopped(0), stopped(1), up(2)), IN_SYNC, null);
    assertTrue(d.paused());
    assertEquals(List.of("node-0", "node-1"), d.restartInPlace());
  }

  @Test
  void unreadableReplicaStatesPauseReplacement() {
    Decision d = HealingPlan.decide(List.of(up(0), hung(1), up(2)), null, "ZooKeeper unreachable");
    assertNull(d.replace());
    assertTrue(d.paused());
    assertEquals(
        "healing paused: replica states cannot be read (ZooKeeper unreachable), so no machine is"
            + " replaced",
        d.waiting());
  }

  @Test
  void unreadableReplicaStatesStillRestartStoppedMachines() {
    Decision d = HealingPlan.decide(List.of(up(0), stopped(1), up(2)), null, "timeout");
    assertEquals(List.of("node-1"), d.restartInPlace());
    assertNull(d.replace());
  }

  @Test
  void theLastInSyncCopyIsNeverReplaced() {
    List<Replicas> onlyOnOne =
        List.of(
            new Replicas("orders-0", List.of(0, 1, 2), List.of(0, 1, 2)),
            new Replicas("solo-0", List.of(1), List.of(1)));
    Decision d = HealingPlan.decide(List.of(up(0), hung(1), up(2)), onlyOnOne, null);
    assertNull(d.replace());
    assertFalse(d.paused());
    assertEquals(
        "healing waits: node-1 holds the last in-sync copy of solo-0, so its machine is kept until"
            + " it is back",
        d.waiting());
  }

  @Test
  void anIsrShrunkToTheSilentNodeKeepsIt() {
    List<Replicas> shrunk = List.of(new Replicas("orders-0", List.of(0, 1, 2), List.of(1)));
    Decision d = HealingPlan.decide(List.of(up(0), hung(1), up(2)), shrunk, null);
    assertNull(d.replace());
  }

  @Test
  void anotherInSyncReplicaThatIsSilentDoesNotCount() {
    // 5 nodes, 2 silent (not most); orders-0 is in sync only on the two silent ones.
    List<Replicas> both = List.of(new Replicas("orders-0", List.of(0, 1, 2), List.of(0, 1)));
    Decision d = HealingPlan.decide(List.of(hung(0), hung(1), up(2), up(3), up(4)), both, null);
    assertNull(d.replace());
    assertTrue(d.waiting().contains("node-0 holds the last in-sync copy of orders-0"));
    assertTrue(d.waiting().contains("node-1 holds the last in-sync copy of orders-0"));
  }

  @Test
  void aReplicaOutsideTheIsrIsNotAnInSyncCopy() {
    List<Replicas> lagging = List.of(new Replicas("orders-0", List.of(0, 1, 2), List.of(0, 2)));
    Decision d = HealingPlan.decide(List.of(up(0), hung(1), up(2)), lagging, null);
    assertEquals("node-1", d.replace());
  }

  @Test
  void anEmptyIsrCountsAsHeldByEveryReplica() {
    List<Replicas> unknown = List.of(new Replicas("orders-0", List.of(0, 1, 2), List.of()));
    Decision d = HealingPlan.decide(List.of(up(0), hung(1), up(2)), unknown, null);
    assertNull(d.replace());
  }

  @Test
  void oneAtATimeTheNextWaitsUntilTheReplacementIsLive() {
    List<Node> nodes = List.of(up(0), booting(1), up(2), hung(3), up(4));
    List<Replicas> spread = List.of(new Replicas("t-0", List.of(3, 4, 0), List.of(3, 4, 0)));
    Decision d = HealingPlan.decide(nodes, spread, null);
    assertNull(d.replace());
    assertFalse(d.paused());
    assertEquals(
        "healing waits: node-3 silent, not replaced while node-1 is not live yet (one node at a"
            + " time)",
        d.waiting());
  }

  @Test
  void aNodeWhoseMachineIsBeingMadeAgainHoldsBackTheNext() {
    // The previous pass (maybe of a control plane that crashed since) destroyed node-1's machine
    // and has not made its replacement yet: node-3 waits even though it is safe to replace.
    Node beingMade = new Node("node-1", 1, MachineState.MISSING, true, false);
    List<Replicas> spread = List.of(new Replicas("t-0", List.of(3, 4, 0), List.of(3, 4, 0)));
    Decision d = HealingPlan.decide(List.of(up(0), beingMade, up(2), hung(3), up(4)), spread, null);
    assertNull(d.replace());
    assertTrue(d.waiting().contains("node-1 is not live yet"), d.waiting());
  }

  @Test
  void aMissingMachineIsNotCountedAsSilent() {
    Node beingMade = new Node("node-1", 1, MachineState.MISSING, true, false);
    Decision d = HealingPlan.decide(List.of(up(0), beingMade, up(2)), IN_SYNC, null);
    assertEquals(new Decision(null, List.of(), null, false), d);
  }

  @Test
  void aRestartedControlPlaneThatHeardFromNobodyYetPausesInsteadOfReplacing() {
    // Right after a restart every heartbeat on record is old and the brokers may not have
    // rejoined its ZooKeeper yet: that looks like most of the cluster silent, not dead machines.
    Decision d =
        HealingPlan.decide(List.of(hung(0), hung(1), hung(2), hung(3), up(4)), IN_SYNC, null);
    assertNull(d.replace());
    assertTrue(d.paused());
  }

  @Test
  void nothingIsReplacedInTheFirstGracePeriodAfterAStart() {
    Decision d =
        HealingPlan.decide(List.of(up(0), hung(1), up(2), stopped(3), up(4)), IN_SYNC, null, true);
    assertNull(d.replace());
    assertEquals(List.of("node-3"), d.restartInPlace());
    assertTrue(d.waiting().contains("started less than a grace period ago"), d.waiting());
  }

  @Test
  void atMostOneIsReplacedPerDecision() {
    List<Node> nodes = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      nodes.add(i < 3 ? hung(i) : up(i));
    }
    List<Replicas> spread = List.of(new Replicas("t-0", List.of(4, 5, 6), List.of(4, 5, 6)));
    Decision d = HealingPlan.decide(nodes, spread, null);
    assertEquals("node-0", d.replace());
  }

  @Test
  void aHeldNodeIsSkippedForTheNextSafeOne() {
    List<Node> nodes = List.of(hung(0), hung(1), up(2), up(3), up(4));
    List<Replicas> replicas =
        List.of(
            new Replicas("solo-0", List.of(0), List.of(0)),
            new Replicas("t-0", List.of(1, 2, 3), List.of(1, 2, 3)));
    Decision d = HealingPlan.decide(nodes, replicas, null);
    assertEquals("node-1", d.replace());
    assertTrue(d.waiting().contains("node-0 holds the last in-sync copy of solo-0"), d.waiting());
  }

  @Test
  void manyHeldPartitionsAreCounted() {
    List<Replicas> solo =
        List.of(
            new Replicas("solo-1", List.of(1), List.of(1)),
            new Replicas("solo-0", List.of(1), List.of(1)),
            new Replicas("solo-2", List.of(1), List.of(1)));
    Decision d = HealingPlan.decide(List.of(up(0), hung(1), up(2)), solo, null);
    assertTrue(d.waiting().contains("solo-0 and 2 more partitions"), d.waiting());
  }
}
