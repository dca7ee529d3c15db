package io.flod.controlplane.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flod.api.ThrottlingReport;
import io.flod.broker.quota.ThrottleLog;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Brokers' throttling merged per partition: the higher peaks, every broker that reported it. */
class ThrottlingServiceTest {
  @Test
  void aPartitionThrottledOnTwoBrokersIsOneEntryWithTheHigherPeaks() {
    Map<Integer, List<ThrottleLog.Entry>> byBroker =
        Map.of(
            2,
            List.of(
                new ThrottleLog.Entry("ingress", "orders", -1, 800_000, 900, 3, 2_000_000L),
                new ThrottleLog.Entry("egress", "orders", 0, 50, 1, 1, 1_000_000L)),
            1,
            List.of(new ThrottleLog.Entry("ingress", "orders", -1, 600_000, 1_200, 5, 3_000_000L)));
    List<ThrottlingReport.Entry> merged = ThrottlingService.merge(byBroker);
    assertEquals(2, merged.size());
    ThrottlingReport.Entry ingress = merged.get(0);
    assertEquals(800_000, ingress.peakBytesPerSecond());
    assertEquals(1_200, ingress.peakEventsPerSecond());
    assertEquals(5, ingress.throttledSeconds());
    assertEquals("1970-01-01T00:50:00Z", ingress.lastThrottledAt());
    assertEquals(List.of(1, 2), ingress.brokers());
    assertEquals("egress", merged.get(1).direction());
  }
}
