package io.flod.broker.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flod.broker.faults.FaultRun.Result;
import io.flod.broker.faults.FaultSchedule.Kind;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The short fault schedule CI runs: a fixed seed and a handful of faults that today's brokers
 * survive (leader SIGKILLs, SIGSTOP pauses, leader cut from its followers, a slow leader link),
 * with the workload running throughout; then every checker must find nothing. The soak ({@link
 * FaultSoakIT}) runs every fault kind, many more times.
 */
class FaultCiIT {
  @TempDir Path dir;

  @Test
  void aShortSeededScheduleLosesNothingAndLeavesReplicasEqual() throws Exception {
    FaultRun.Settings settings =
        new FaultRun.Settings(
            FaultSchedule.seed(16L),
            Integer.getInteger("faults.count", 6),
            EnumSet.of(
                Kind.KILL_LEADER,
                Kind.PAUSE_LEADER,
                Kind.PARTITION_LEADER_FROM_FOLLOWERS,
                Kind.SLOW_LEADER_LINK),
            3,
            1,
            150,
            2,
            2_000,
            8_000,
            60_000);
    Result result = FaultRun.run(dir, settings);

    assertTrue(result.history().writes().size() > 500, "too few acknowledged writes to judge");
    assertEquals(List.of(), result.findings(), result.report());
    assertEquals(List.of(), result.anomalies(), result.report());
  }
}
