package io.flod.broker.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flod.broker.faults.FaultRun.Result;
import io.flod.broker.faults.FaultSchedule.Kind;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The soak: at least 100 faults of every kind on a random seed (printed; {@code -Dfaults.seed}
 * replays one), then the figures of the issue: faults by kind, records acknowledged, lost,
 * duplicated, inconsistent offsets, the worst unavailability per partition after each fault. Runs
 * only in the {@code soak} profile:
 *
 * <pre>
 * mvn -B -o -pl broker-node -am verify -Psoak -Dfaults.count=100 -Dspotless.check.skip=true
 * </pre>
 */
@EnabledIfSystemProperty(named = "faults.soak", matches = "true")
class FaultSoakIT {
  @TempDir Path dir;

  @Test
  @Timeout(value = 4, unit = TimeUnit.HOURS)
  void everyFaultKindManyTimes() throws Exception {
    EnumSet<Kind> kinds = EnumSet.allOf(Kind.class);
    String only = System.getProperty("faults.kinds");
    if (only != null && !only.isBlank()) {
      kinds = EnumSet.noneOf(Kind.class);
      for (String kind : only.split(",")) {
        kinds.add(Kind.valueOf(kind.trim()));
      }
    }
    FaultRun.Settings settings =
        new FaultRun.Settings(
            FaultSchedule.seed(new java.security.SecureRandom().nextLong() & Long.MAX_VALUE),
            Integer.getInteger("faults.count", 100),
            kinds,
            3,
            2,
            100,
            2,
            Long.getLong("faults.hold.min.ms", 2_000),
            Long.getLong("faults.hold.max.ms", 15_000),
            90_000);
    Result result = FaultRun.run(dir, settings);
    assertEquals(List.of(), result.anomalies(), result.report());
  }
}
