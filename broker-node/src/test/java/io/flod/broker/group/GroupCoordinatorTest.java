package io.flod.broker.group;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flod.broker.support.ManualClock;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The coordinator's state machine, one edge per test, over an in-memory state log (the real log is
 * exercised by the integration tests).
 */
class GroupCoordinatorTest {
  private static final TopicPartition TP = new TopicPartition("t", 0);
  private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1);
  private final InMemoryStateLog stateLog = new InMemoryStateLog();
  private final GroupCoordinator coordinator = coordinator();

  /** Keeps appended records in a list per partition; replay returns them in order. */
  static final class InMemoryStateLog implements GroupStateLog {
    final List<List<KeyValue>> partitions = List.of(new ArrayList<>(), new ArrayList<>());

    @Override
    public int partitionCount() {
      return partitions.size();
    }

    @Override
    public synchronized void append(int partition, List<KeyValue> records) {
      partitions.get(partition).addAll(records);
    }

    @Override
    public synchronized void replay(int partition, RecordVisitor visitor) {
      for (KeyValue kv : partitions.get(partition)) {
        visitor.visit(
            ByteBuffer.wrap(kv.key()), kv.value() == null ? null : ByteBuffer.wrap(kv.value()));
      }
    }
  }

  private GroupCoordinator coordinator() {
    GroupConfig config =
        new GroupConfig(
            100, 60_000, 0, 100, 255, 20, 1024, 3_600_000, 3_600_000, 2, 1 << 20, (short) 1);
    return owningAll(
        new GroupCoordinator(config, stateLog, tp -> tp.equals(TP), scheduler, Clock.systemUTC()));
  }

  /** Makes the coordinator lead every state-log partition, as a standalone broker's does. */
  private GroupCoordinator owningAll(GroupCoordinator coordinator) {
    for (int p = 0; p < stateLog.partitionCount(); p++) {
      coordinator.loadPartition(p);
    }
    return coordinator;
  }

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
  }

  private static GroupCoordinator.JoinRequest join(String memberId, int sessionTimeoutMs) {
    return new GroupCoordinator.JoinRequest(
        "g",
        memberId,
        null,
        "client",
        "/127.0.0.1",
        5_000,
        sessionTimeoutMs,
        "consumer",
        List.of(new MemberProtocol("range", new byte[] {1})),
        true,
        false);
  }

  /** Joins a fresh member through MEMBER_ID_REQUIRED; returns the completed join. */
  private JoinResult joinNew(int sessionTimeoutMs) throws Exception {
    JoinResult first = coordinator.join(join("", sessionTimeoutMs)).get();
    assertEquals(Errors.MEMBER_ID_REQUIRED, first.error());
    return coordinator.join(join(first.memberId(), sessionTimeoutMs)).get();
  }

  private SyncResult syncAsLeader(JoinResult joined, Map<String, byte[]> assignment)
      throws Exception {
    return coordinator
        .sync("g", joined.generationId(), joined.memberId(), null, "consumer", "range", assignment)
        .get();
  }

  @Test
  void emptyToPreparingToCompletingToStable() throws Exception {
    JoinResult joined = joinNew(10_000);
    assertEquals(Errors.NONE, joined.error());
    assertEquals(1, joined.generationId());
    assertEquals(joined.memberId(), joined.leaderId());
    assertEquals(1, joined.members().size(), "the leader gets every member's metadata");
    assertEquals("CompletingRebalance", coordinator.describe("g").state());
    SyncResult synced = syncAsLeader(joined, Map.of(joined.memberId(), new byte[] {7}));
    assertEquals(Errors.NONE, synced.error());
    assertArrayEquals(new byte[] {7}, synced.assignment());
    assertEquals("Stable", coordinator.describe("g").state());
  }

  @Test
  void stableToPreparingWhenASecondMemberJoins() throws Exception {
    JoinResult a = joinNew(10_000);
    syncAsLeader(a, Map.of());
    JoinResult bFirst = coordinator.join(join("", 10_000)).get();
    CompletableFuture<JoinResult> bJoin = coordinator.join(join(bFirst.memberId(), 10_000));
    assertFalse(bJoin.isDone(), "waits for the existing member to rejoin");
    assertEquals("PreparingRebalance", coordinator.describe("g").state());
    assertEquals(Errors.REBALANCE_IN_PROGRESS, coordinator.heartbeat("g", a.memberId(), null, 1));
    JoinResult aAgain = coordinator.join(join(a.memberId(), 10_000)).get();
    JoinResult b = bJoin.get();
    assertEquals(2, aAgain.generationId());
    assertEquals(2, b.generationId());
    assertEquals(a.memberId(), b.leaderId(), "the leader stays the leader");
  }

  @Test
  void staleGenerationsAndUnknownMembersAreFenced() throws Exception {
    JoinResult a = joinNew(10_000);
    syncAsLeader(a, Map.of());
    assertEquals(Errors.NONE, coordinator.heartbeat("g", a.memberId(), null, 1));
    assertEquals(Errors.ILLEGAL_GENERATION, coordinator.heartbeat("g", a.memberId(), null, 0));
    assertEquals(Errors.UNKNOWN_MEMBER_ID, coordinator.heartbeat("g", "ghost", null, 1));
    var offset = Map.of(TP, new CommittedOffset(5, -1, "", 0));
    assertEquals(
        Errors.ILLEGAL_GENERATION, coordinator.commit("g", a.memberId(), null, 0, offset).get(TP));
    assertEquals(
        Errors.UNKNOWN_MEMBER_ID, coordinator.commit("g", "ghost", null, 1, offset).get(TP));
    assertEquals(Errors.NONE, coordinator.commit("g", a.memberId(), null, 1, offset).get(TP));
    assertEquals(
        Errors.UNKNOWN_TOPIC_OR_PARTITION,
        coordinator
            .commit(
                "g",
                a.memberId(),
                null,
                1,
                Map.of(new TopicPartition("nope", 0), new CommittedOffset(1, -1, "", 0)))
            .get(new TopicPartition("nope", 0)));
  }

  @Test
  void commitsDuringCompletingRebalanceAreRefused() throws Exception {
    JoinResult a = joinNew(10_000);
    assertEquals(
        Errors.REBALANCE_IN_PROGRESS,
        coordinator
            .commit("g", a.memberId(), null, 1, Map.of(TP, new CommittedOffset(1, -1, "", 0)))
            .get(TP));
  }

  @Test
  void stableToPreparingToEmptyWhenTheLastMemberSessionExpires() throws Exception {
    JoinResult a = joinNew(300);
    syncAsLeader(a, Map.of());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> coordinator.describe("g").state().equals("Empty"));
    assertEquals(Errors.UNKNOWN_MEMBER_ID, coordinator.heartbeat("g", a.memberId(), null, 1));
  }

  @Test
  void leavingEmptiesTheGroupAndItCanThenBeDeleted() throws Exception {
    JoinResult a = joinNew(10_000);
    syncAsLeader(a, Map.of());
    coordinator.commit("g", a.memberId(), null, 1, Map.of(TP, new CommittedOffset(9, -1, "m", 0)));
    assertEquals(Errors.NON_EMPTY_GROUP, coordinator.delete("g"));
    assertEquals(
        List.of(Errors.NONE),
        coordinator.leave("g", List.of(new GroupCoordinator.MemberIdentity(a.memberId(), null))));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> coordinator.describe("g").state().equals("Empty"));
    assertEquals(Errors.NONE, coordinator.delete("g"));
    assertEquals("Dead", coordinator.describe("g").state());
    assertTrue(coordinator.committed("g", null).isEmpty());
  }

  @Test
  void aReloadRestoresOffsetsAndTheStableGeneration() throws Exception {
    JoinResult a = joinNew(10_000);
    syncAsLeader(a, Map.of(a.memberId(), new byte[] {3}));
    coordinator.commit(
        "g", a.memberId(), null, 1, Map.of(TP, new CommittedOffset(42, 7, "meta", 0)));

    GroupCoordinator reloaded = coordinator();
    for (int p = 0; p < stateLog.partitionCount(); p++) {
      reloaded.loadPartition(p);
    }
    CommittedOffset offset = reloaded.committed("g", List.of(TP)).get(TP);
    assertEquals(42, offset.offset());
    assertEquals(7, offset.leaderEpoch());
    assertEquals("meta", offset.metadata());
    assertEquals("Stable", reloaded.describe("g").state());
    assertEquals(
        Errors.NONE,
        reloaded.heartbeat("g", a.memberId(), null, 1),
        "members carry on after a move");
  }

  @Test
  void offsetsOfAGroupEmptyForLongerThanTheRetentionExpireAndTheGroupGoes() throws Exception {
    ManualClock clock = new ManualClock();
    GroupConfig config =
        new GroupConfig(
            100, 60_000, 0, 100, 255, 20, 1024, 60_000, 3_600_000, 2, 1 << 20, (short) 1);
    GroupCoordinator groups =
        owningAll(new GroupCoordinator(config, stateLog, tp -> tp.equals(TP), scheduler, clock));
    JoinResult first = groups.join(join("", 10_000)).get();
    JoinResult a = groups.join(join(first.memberId(), 10_000)).get();
    groups.sync("g", a.generationId(), a.memberId(), null, "consumer", "range", Map.of()).get();
    groups.commit("g", a.memberId(), null, 1, Map.of(TP, new CommittedOffset(3, -1, "", 0)));
    groups.leave("g", List.of(new GroupCoordinator.MemberIdentity(a.memberId(), null)));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> groups.describe("g").state().equals("Empty"));

    clock.advance(59_000);
    groups.expireOffsets();
    assertEquals(
        3, groups.committed("g", List.of(TP)).get(TP).offset(), "kept within the retention");
    clock.advance(2_000);
    groups.expireOffsets();
    assertTrue(groups.committed("g", List.of(TP)).isEmpty(), "expired after the retention");
    assertEquals("Dead", groups.describe("g").state(), "an empty group without offsets is gone");

    GroupCoordinator reloaded =
        new GroupCoordinator(config, stateLog, tp -> tp.equals(TP), scheduler, clock);
    for (int p = 0; p < stateLog.partitionCount(); p++) {
      reloaded.loadPartition(p);
    }
    assertTrue(reloaded.committed("g", List.of(TP)).isEmpty(), "the expiry was written to the log");
  }

  @Test
  void aCoordinatorThatGivesUpThePartitionAnswersNotCoordinatorAndALaterLoadRestoresTheGroup()
      throws Exception {
    JoinResult a = joinNew(10_000);
    syncAsLeader(a, Map.of(a.memberId(), new byte[] {1}));
    coordinator.commit("g", a.memberId(), null, 1, Map.of(TP, new CommittedOffset(8, -1, "", 0)));
    JoinResult bFirst = coordinator.join(join("", 10_000)).get();
    CompletableFuture<JoinResult> parked = coordinator.join(join(bFirst.memberId(), 10_000));

    int partition = stateLog.partitionFor("g");
    coordinator.unloadPartition(partition);
    assertEquals(
        Errors.NOT_COORDINATOR, parked.get().error(), "a parked join is told to look again");
    assertEquals(Errors.NOT_COORDINATOR, coordinator.heartbeat("g", a.memberId(), null, 1));
    assertEquals(
        Errors.NOT_COORDINATOR,
        coordinator
            .commit("g", a.memberId(), null, 1, Map.of(TP, new CommittedOffset(9, -1, "", 0)))
            .get(TP));
    assertThrows(
        org.apache.kafka.common.errors.NotCoordinatorException.class,
        () -> coordinator.committed("g", null));
    assertTrue(coordinator.list(null).stream().noneMatch(l -> l.groupId().equals("g")));

    coordinator.loadPartition(partition);
    assertEquals(
        8, coordinator.committed("g", List.of(TP)).get(TP).offset(), "the commit before the move");
    assertEquals(
        Errors.NONE,
        coordinator.heartbeat("g", a.memberId(), null, 1),
        "the stable generation is back");
  }

  @Test
  void anInvalidTransitionNamesBothStates() {
    ConsumerGroup group = new ConsumerGroup("x", 0);
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> group.transitionTo(GroupState.STABLE, 0));
    assertTrue(
        e.getMessage().contains("EMPTY") && e.getMessage().contains("STABLE"), e.getMessage());
  }
}
