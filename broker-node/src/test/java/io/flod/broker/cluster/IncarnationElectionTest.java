package io.flod.broker.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The election rule names replicas by broker id and incarnation: a wiped disk never leads. */
class IncarnationElectionTest {
  private static final TopicPartition TP = new TopicPartition("events", 0);
  private static final Map<Integer, String> ORIGINAL = Map.of(1, "a1", 2, "b1", 3, "c1");

  private static PartitionState state(int leader, List<Integer> isr) {
    return new PartitionState(
        TP, leader, 3, List.of(1, 2, 3), isr, List.of(), List.of(), ORIGINAL, 7);
  }

  @Test
  void theLastInSyncReplicaBackOnAnEmptyDiskIsNotElectedAndThePartitionStaysOffline() {
    PartitionState leaderless = state(PartitionState.NO_LEADER, List.of(1));
    Map<Integer, String> afterWipe = Map.of(1, "a2", 2, "b2", 3, "c2");
    PartitionState decided =
        LeaderElector.decide(leaderless, Set.of(1, 2, 3), afterWipe, false, false);
    assertEquals(leaderless, decided, "nothing changes: no replica of the ISR is the one in sync");
    assertFalse(decided.hasLeader());
    assertEquals(List.of(1), decided.isr());
    assertEquals("a1", decided.incarnations().get(1));
  }

  @Test
  void theReasonAnOfflinePartitionGivesSaysWhichReplicasLostTheirDataAndWhichAreDown() {
    PartitionState leaderless = state(PartitionState.NO_LEADER, List.of(1, 2));
    String lost =
        LeaderElector.offlineReason(leaderless, Set.of(1, 2, 3), Map.of(1, "a2", 2, "b2"));
    assertEquals(
        "no in-sync replica can lead (isr [1, 2]; back without the data they held: [1, 2]):"
            + " acknowledged records may be lost; it stays offline until an operator accepts the"
            + " loss",
        lost);
    String down = LeaderElector.offlineReason(leaderless, Set.of(3), Map.of(1, "a2"));
    assertEquals(
        "no in-sync replica can lead (isr [1, 2]; back without the data they held: [1]; not live:"
            + " [2]): it leads again when an in-sync replica returns",
        down);
  }

  @Test
  void theOriginalIncarnationComingBackLeadsAgain() {
    PartitionState leaderless = state(PartitionState.NO_LEADER, List.of(1));
    PartitionState decided =
        LeaderElector.decide(leaderless, Set.of(1, 2, 3), ORIGINAL, false, false);
    assertEquals(1, decided.leader());
    assertEquals(4, decided.leaderEpoch());
  }

  @Test
  void aLeaderThatCameBackEmptyIsDeposedForAnInSyncFollower() {
    PartitionState led = state(1, List.of(1, 2, 3));
    Map<Integer, String> leaderWiped = Map.of(1, "a2", 2, "b1", 3, "c1");
    PartitionState decided = LeaderElector.decide(led, Set.of(1, 2, 3), leaderWiped, false, false);
    assertEquals(2, decided.leader());
    assertEquals(List.of(2, 3), decided.isr());
    assertEquals(4, decided.leaderEpoch());
  }

  @Test
  void aFollowerThatCameBackEmptyLeavesTheIsrAtOnce() {
    PartitionState led = state(1, List.of(1, 2, 3));
    Map<Integer, String> followerWiped = Map.of(1, "a1", 2, "b2", 3, "c1");
    PartitionState decided =
        LeaderElector.decide(led, Set.of(1, 2, 3), followerWiped, false, false);
    assertEquals(1, decided.leader());
    assertEquals(3, decided.leaderEpoch(), "a shrink is not a new leadership");
    assertEquals(List.of(1, 3), decided.isr());
    assertFalse(decided.incarnations().containsKey(2));
  }

  @Test
  void aFollowerRejoiningTheIsrIsRecordedAsItsNewIncarnation() {
    PartitionState shrunk = state(1, List.of(1, 3));
    PartitionState grown = shrunk.withIsr(List.of(1, 3, 2), Map.of(2, "b2"));
    assertEquals("b2", grown.incarnations().get(2));
    assertFalse(grown.lostIncarnation(2, Map.of(2, "b2")));
    assertTrue(grown.lostIncarnation(2, Map.of(2, "b3")));
  }

  @Test
  void uncleanElectionRecordsTheIncarnationItChose() {
    PartitionState leaderless = state(PartitionState.NO_LEADER, List.of(1));
    Map<Integer, String> afterWipe = Map.of(1, "a2", 2, "b2", 3, "c2");
    PartitionState decided =
        LeaderElector.decide(leaderless, Set.of(1, 2, 3), afterWipe, true, false);
    assertEquals(1, decided.leader());
    assertEquals(List.of(1), decided.isr());
    assertEquals("a2", decided.incarnations().get(1));
    assertEquals(decided, LeaderElector.decide(decided, Set.of(1, 2, 3), afterWipe, true, false));
  }

  @Test
  void statesWrittenBeforeIncarnationsElectByBrokerId() {
    PartitionState legacy =
        new PartitionState(TP, PartitionState.NO_LEADER, 3, List.of(1, 2, 3), List.of(1), 7);
    PartitionState decided =
        LeaderElector.decide(legacy, Set.of(1, 2, 3), Map.of(1, "a2"), false, false);
    assertEquals(1, decided.leader());
  }
}
