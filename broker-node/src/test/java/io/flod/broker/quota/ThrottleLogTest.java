package io.flod.broker.quota;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

/** The throttling log's per-second peaks, its five-minute window, and topic ids made names. */
class ThrottleLogTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final Uuid ordersId = Uuid.randomUuid();
  private final ThrottleLog log =
      new ThrottleLog(
          now::get, id -> id.equals(ordersId) ? Optional.of("orders") : Optional.empty());

  @Test
  void peaksAreTheBusiestThrottledSecondAndOldSecondsLeaveTheWindow() {
    log.throttled("ingress", List.of(new ThrottleLog.Load("", ordersId, 0, 300, 3)));
    log.throttled("ingress", List.of(new ThrottleLog.Load("orders", 0, 200, 2)));
    now.addAndGet(1_000);
    log.throttled("ingress", List.of(new ThrottleLog.Load("orders", 0, 400, 4)));
    log.throttled("egress", List.of(new ThrottleLog.Load("orders", 1, 9_000, 90)));

    List<ThrottleLog.Entry> entries = log.snapshot();
    assertEquals(2, entries.size());
    ThrottleLog.Entry egress = entries.get(0);
    assertEquals("egress", egress.direction(), "busiest first");
    ThrottleLog.Entry ingress = entries.get(1);
    assertEquals("orders", ingress.topic(), "the id was looked up");
    assertEquals(500, ingress.peakBytesPerSecond(), "300 + 200 in the first second beat 400");
    assertEquals(5, ingress.peakEventsPerSecond());
    assertEquals(2, ingress.throttledSeconds());
    assertEquals(now.get() / 1000 * 1000, ingress.lastThrottledAtMs());

    now.addAndGet(ThrottleLog.WINDOW_SECONDS * 1000L);
    ThrottleLog.Entry later =
        log.snapshot().stream().filter(e -> e.direction().equals("ingress")).findFirst().get();
    assertEquals(400, later.peakBytesPerSecond(), "the first second left the window");
    assertEquals(1, later.throttledSeconds());
    now.addAndGet(1_000);
    assertEquals(List.of(), log.snapshot(), "five quiet minutes: nothing to report");
  }
}
