package io.flod.broker.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flod.broker.faults.Checker.Anomaly;
import io.flod.broker.faults.Checker.Kind;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** Each checker on a hand-made history: it finds its anomaly, names it exactly, and no other. */
class CheckerTest {
  private static final TopicPartition P0 = new TopicPartition("t", 0);
  private static final TopicPartition P1 = new TopicPartition("t", 1);

  /**
   * Three acknowledged writes per partition, read back in full by a consumer and the final read.
   */
  private static History clean() {
    History h = new History();
    for (TopicPartition tp : List.of(P0, P1)) {
      h.assigned("c0", tp);
      for (long o = 0; o < 3; o++) {
        String value = "v" + tp.partition() + "-" + o;
        h.acked(value, tp, o);
        h.polled("c0", tp, o, value);
        h.committed("g", tp, o + 1);
        h.finalRead(tp, o, value);
      }
      h.replicaLog(tp, 1, 3, List.of("0-2:111"));
      h.replicaLog(tp, 2, 3, List.of("0-2:111"));
    }
    return h;
  }

  private static List<Anomaly> only(History h, Kind kind) {
    List<Anomaly> found = Checker.check(h);
    assertTrue(found.stream().allMatch(a -> a.kind() == kind), found.toString());
    return found;
  }

  @Test
  void aCleanHistoryHasNoAnomaly() {
    assertEquals(List.of(), Checker.check(clean()));
  }

  @Test
  void anAcknowledgedWriteMissingFromTheFinalReadIsLost() {
    History h = clean();
    h.acked("v0-3", P0, 3); // acknowledged, never read back
    List<Anomaly> found = only(h, Kind.LOST_WRITE);
    assertEquals(1, found.size());
    assertTrue(found.get(0).detail().contains("t-0 offset 3: acknowledged v0-3"), found.toString());
  }

  @Test
  void aValueAtTwoOffsetsIsADuplicate() {
    History h = clean();
    h.finalRead(P0, 3, "v0-1"); // written once, stored twice
    List<Anomaly> found = only(h, Kind.DUPLICATE);
    assertEquals(List.of(new Anomaly(Kind.DUPLICATE, "v0-1 at [t-0@1, t-0@3]")), found);
  }

  @Test
  void anOffsetReadWithTwoValuesIsInconsistentAndTheAcknowledgedOneLost() {
    History h = clean();
    h.acked("v0-3", P0, 3);
    h.polled("c0", P0, 3, "v0-3");
    h.finalRead(P0, 3, "other"); // offset 3 later holds another record
    List<Anomaly> found = Checker.check(h);
    assertEquals(2, found.size(), found.toString());
    assertEquals(Kind.LOST_WRITE, found.get(0).kind());
    assertEquals(
        new Anomaly(Kind.INCONSISTENT_OFFSET, "t-0 offset 3: {v0-3=ack, other=final read}"),
        found.get(1));
  }

  @Test
  void aConsumerJumpingForwardSkipped() {
    History h = clean();
    h.polled("c0", P1, 5, "v1-5"); // after offset 2, without a new assignment
    h.acked("v1-5", P1, 5);
    h.finalRead(P1, 3, "v1-3");
    h.finalRead(P1, 4, "v1-4");
    h.finalRead(P1, 5, "v1-5");
    List<Anomaly> found = only(h, Kind.POLL_SKIP);
    assertEquals(
        List.of(new Anomaly(Kind.POLL_SKIP, "c0 skipped t-1 offsets 3..4 (read 2 then 5)")), found);
  }

  @Test
  void aConsumerGoingBackWithoutANewAssignmentIsNonmonotonic() {
    History h = clean();
    h.polled("c0", P0, 1, "v0-1");
    List<Anomaly> found = only(h, Kind.NONMONOTONIC_POLL);
    assertEquals(
        List.of(new Anomaly(Kind.NONMONOTONIC_POLL, "c0 read t-0 offset 1 (v0-1) after offset 2")),
        found);
  }

  @Test
  void rereadingAfterANewAssignmentIsNoAnomaly() {
    History h = clean();
    h.assigned("c0", P0);
    h.polled("c0", P0, 1, "v0-1");
    h.polled("c0", P0, 2, "v0-2");
    assertEquals(List.of(), Checker.check(h));
  }

  @Test
  void aCommittedOffsetBelowAnEarlierOneMovedBackwards() {
    History h = clean();
    h.committed("g", P0, 1);
    List<Anomaly> found = only(h, Kind.COMMIT_BACKWARDS);
    assertEquals(
        List.of(
            new Anomaly(Kind.COMMIT_BACKWARDS, "group g t-0 committed 1 after 3 (commits #3, #7)")),
        found);
  }

  @Test
  void replicasDifferingBelowTheHighWatermarkDiverged() {
    History h = clean();
    h.replicaLog(P1, 3, 3, List.of("0-1:222"));
    List<Anomaly> found = only(h, Kind.REPLICA_DIVERGENCE);
    assertEquals(1, found.size());
    assertEquals(
        "t-1 below high watermark 3: broker 1 has 0-2:111 where broker 3 has 0-1:222"
            + " (batch #0 of 1 and 1)",
        found.get(0).detail());
  }
}
