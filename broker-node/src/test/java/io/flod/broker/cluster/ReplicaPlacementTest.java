package io.flod.broker.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.junit.jupiter.api.Test;

/** Placement of new partitions and the moves that follow brokers joining and draining. */
class ReplicaPlacementTest {
  private static final ReplicaPlacer.Node N1 = new ReplicaPlacer.Node(1, "z1", "ud1");
  private static final ReplicaPlacer.Node N2 = new ReplicaPlacer.Node(2, "z2", "ud2");
  private static final ReplicaPlacer.Node N3 = new ReplicaPlacer.Node(3, "z3", "ud1");
  private static final ReplicaPlacer.Node N4 = new ReplicaPlacer.Node(4, "z1", "ud2");
  private static final ReplicaPlacer.Node N5 = new ReplicaPlacer.Node(5, "z2", "ud1");
  private static final ReplicaPlacer.Node N6 = new ReplicaPlacer.Node(6, "z3", "ud2");

  private static Map<Integer, ReplicaPlacer.Node> byId(ReplicaPlacer.Node... nodes) {
    Map<Integer, ReplicaPlacer.Node> map = new HashMap<>();
    for (ReplicaPlacer.Node node : nodes) {
      map.put(node.id(), node);
    }
    return map;
  }

  @Test
  void newPartitionsSpanZonesAndUpdateDomainsAndSpreadLeaders() {
    List<ReplicaPlacer.Node> nodes = List.of(N1, N2, N3, N4, N5, N6);
    List<List<Integer>> placement = ReplicaPlacer.place(nodes, 0, 12, 2, 7);
    Map<Integer, ReplicaPlacer.Node> byId = byId(N1, N2, N3, N4, N5, N6);
    Map<Integer, Integer> leaders = new HashMap<>();
    Map<Integer, Integer> replicas = new HashMap<>();
    for (List<Integer> partition : placement) {
      Set<String> zones =
          partition.stream().map(id -> byId.get(id).zone()).collect(Collectors.toSet());
      Set<String> domains =
          partition.stream().map(id -> byId.get(id).updateDomain()).collect(Collectors.toSet());
      assertEquals(2, zones.size(), "two replicas in one zone: " + partition);
      assertEquals(2, domains.size(), "two replicas in one update domain: " + partition);
      leaders.merge(partition.get(0), 1, Integer::sum);
      partition.forEach(id -> replicas.merge(id, 1, Integer::sum));
    }
    assertEquals(Set.of(2), new HashSet<>(leaders.values()), "leaders per broker " + leaders);
    assertEquals(Set.of(4), new HashSet<>(replicas.values()), "replicas per broker " + replicas);
  }

  @Test
  void replicationFactorAboveBrokerCountIsRefused() {
    assertThrows(
        InvalidReplicationFactorException.class,
        () -> ReplicaPlacer.place(List.of(N1, N2), 0, 1, 3, 0));
  }

  @Test
  void aJoiningBrokerTakesReplicasOnlyFromItsOwnZone() {
    Map<Integer, ReplicaPlacer.Node> nodes = byId(N1, N2, N3, N4);
    Map<TopicPartition, List<Integer>> current = new HashMap<>();
    for (int p = 0; p < 6; p++) {
      List<Integer> replicas = new ArrayList<>(List.of(1, 2, 3));
      java.util.Collections.rotate(replicas, p);
      current.put(new TopicPartition("t", p), replicas);
    }
    Map<Integer, Integer> load = Map.of(1, 6, 2, 6, 3, 6);
    Map<TopicPartition, List<Integer>> plan =
        ReplicaBalancer.plan(nodes, Set.of(1, 2, 3, 4), Set.of(), current, load, true, 100);
    assertEquals(3, plan.size(), "half of broker 1's six replicas move to broker 4: " + plan);
    for (Map.Entry<TopicPartition, List<Integer>> move : plan.entrySet()) {
      List<Integer> before = current.get(move.getKey());
      List<Integer> after = move.getValue();
      assertEquals(before.indexOf(1), after.indexOf(4), "4 takes 1's position: " + move);
      assertTrue(after.containsAll(List.of(2, 3)), "only broker 1's replica moves: " + move);
    }
    // Applying the plan reaches a fixed point: nothing more to move.
    Map<TopicPartition, List<Integer>> applied = new HashMap<>(current);
    applied.putAll(plan);
    Map<Integer, Integer> newLoad = new HashMap<>();
    applied.values().forEach(r -> r.forEach(id -> newLoad.merge(id, 1, Integer::sum)));
    assertEquals(
        Map.of(),
        ReplicaBalancer.plan(nodes, Set.of(1, 2, 3, 4), Set.of(), applied, newLoad, true, 100));
  }

  @Test
  void drainingMovesEveryReplicaAwayEvenWithoutRebalancing() {
    Map<Integer, ReplicaPlacer.Node> nodes = byId(N1, N2, N3, N4);
    Map<TopicPartition, List<Integer>> current =
        Map.of(
            new TopicPartition("t", 0), List.of(1, 2, 3),
            new TopicPartition("t", 1), List.of(2, 3, 1));
    Map<TopicPartition, List<Integer>> plan =
        ReplicaBalancer.plan(
            nodes, Set.of(2, 3, 4), Set.of(1), current, Map.of(1, 2, 2, 2, 3, 2), false, 100);
    assertEquals(List.of(4, 2, 3), plan.get(new TopicPartition("t", 0)));
    assertEquals(List.of(2, 3, 4), plan.get(new TopicPartition("t", 1)));
  }

  @Test
  void atMostMaxMovesArePlanned() {
    Map<Integer, ReplicaPlacer.Node> nodes = byId(N1, N2, N3, N4);
    Map<TopicPartition, List<Integer>> current = new HashMap<>();
    for (int p = 0; p < 6; p++) {
      current.put(new TopicPartition("t", p), List.of(1, 2, 3));
    }
    assertEquals(
        2,
        ReplicaBalancer.plan(
                nodes, Set.of(2, 3, 4), Set.of(1), current, Map.of(1, 6, 2, 6, 3, 6), true, 2)
            .size());
  }

  private static PartitionState state(int leader, List<Integer> replicas, List<Integer> isr) {
    return new PartitionState(new TopicPartition("t", 0), leader, 5, replicas, isr, 3);
  }

  @Test
  void electionPicksOnlyAnInSyncLiveReplica() {
    PartitionState leaderDied = state(1, List.of(1, 2, 3), List.of(1, 3));
    PartitionState decided = LeaderElector.decide(leaderDied, Set.of(2, 3), false, false);
    assertEquals(3, decided.leader(), "2 is alive but out of sync");
    assertEquals(6, decided.leaderEpoch());
    assertEquals(List.of(3), decided.isr());
  }

  @Test
  void withNoInSyncReplicaAliveThePartitionStaysLeaderlessAndKeepsItsIsr() {
    PartitionState lastStanding = state(1, List.of(1, 2, 3), List.of(1));
    PartitionState decided = LeaderElector.decide(lastStanding, Set.of(2, 3), false, false);
    assertEquals(PartitionState.NO_LEADER, decided.leader());
    assertEquals(List.of(1), decided.isr(), "the only in-sync replica may still come back");
    assertEquals(6, decided.leaderEpoch(), "the old leadership is fenced");
    // Nothing changes on later passes while nobody in sync is back...
    assertEquals(decided, LeaderElector.decide(decided, Set.of(2, 3), false, false));
    // ...and the in-sync replica leads again when it returns.
    assertEquals(1, LeaderElector.decide(decided, Set.of(1, 2, 3), false, false).leader());
  }

  @Test
  void uncleanElectionOnlyWhenTheTopicAllowsIt() {
    PartitionState lastStanding = state(PartitionState.NO_LEADER, List.of(1, 2, 3), List.of(1));
    PartitionState decided = LeaderElector.decide(lastStanding, Set.of(2, 3), true, false);
    assertEquals(2, decided.leader());
    assertEquals(List.of(2), decided.isr());
  }

  @Test
  void preferredLeaderReturnsOnlyWhenInSync() {
    PartitionState moved = state(2, List.of(1, 2, 3), List.of(2, 3));
    assertEquals(moved, LeaderElector.decide(moved, Set.of(1, 2, 3), false, true));
    PartitionState caughtUp = state(2, List.of(1, 2, 3), List.of(2, 3, 1));
    assertEquals(1, LeaderElector.decide(caughtUp, Set.of(1, 2, 3), false, true).leader());
    assertEquals(caughtUp, LeaderElector.decide(caughtUp, Set.of(1, 2, 3), false, false));
  }

  @Test
  void aFollowerWhoseSessionEndedLeavesTheIsrAtOnce() {
    PartitionState followerDied = state(1, List.of(1, 2, 3), List.of(1, 2, 3));
    PartitionState decided = LeaderElector.decide(followerDied, Set.of(1, 2), false, false);
    assertEquals(1, decided.leader());
    assertEquals(5, decided.leaderEpoch(), "the same leadership");
    assertEquals(List.of(1, 2), decided.isr());
  }

  @Test
  void aMoveKeepsEveryOldReplicaUntilItCompletes() {
    PartitionState start = state(1, List.of(1, 2, 3), List.of(1, 2, 3)).startMove(List.of(4, 2, 3));
    assertEquals(List.of(4, 2, 3, 1), start.replicas());
    assertEquals(List.of(4), start.adding());
    assertEquals(List.of(1), start.removing());
    assertEquals(List.of(4, 2, 3), start.target());
    PartitionState done = start.withIsr(List.of(1, 2, 3, 4)).completeMove();
    assertEquals(List.of(4, 2, 3), done.replicas());
    assertEquals(List.of(2, 3, 4), done.isr());
    assertTrue(!done.moving());
  }
}
