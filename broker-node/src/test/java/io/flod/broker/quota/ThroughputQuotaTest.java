package io.flod.broker.quota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The quota's arithmetic on a simulated clock: a client that honours throttle times. */
class ThroughputQuotaTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000_000L);
  private final AtomicInteger units = new AtomicInteger(1);
  private final AtomicInteger brokers = new AtomicInteger(1);
  private final ThroughputQuota quota = ThroughputQuota.ingress(units::get, brokers::get, now::get);

  /** Events a client flat out (requests of {@code events} x {@code size} B) gets in a minute. */
  private long flatOutForAMinute(int events, int size) {
    long end = now.get() + 60_000_000_000L;
    long sent = 0;
    while (now.get() < end) {
      int throttle = quota.record((long) events * size, events);
      sent += events;
      now.addAndGet(1_000_000L + throttle * 1_000_000L); // 1 ms per request, then the wait
    }
    return sent;
  }

  @Test
  void smallEventsAreHeldToAThousandPerSecondPerUnit() {
    long sent = flatOutForAMinute(100, 100);
    assertTrue(Math.abs(sent / 60.0 - 1_000) / 1_000 < 0.03, sent / 60.0 + " events/s");
  }

  @Test
  void largeEventsAreHeldToAMegabytePerSecondPerUnit() {
    long sent = flatOutForAMinute(10, 10_000); // 100 KB per request, 100 events/s at 1 MB/s
    double bytesPerSecond = sent * 10_000 / 60.0;
    assertTrue(Math.abs(bytesPerSecond - 1e6) / 1e6 < 0.03, bytesPerSecond + " B/s");
  }

  @Test
  void unitsAndBrokersScaleTheShareAndZeroUnitsMeansNoQuota() {
    units.set(4);
    brokers.set(2);
    assertTrue(Math.abs(flatOutForAMinute(100, 100) / 60.0 - 2_000) / 2_000 < 0.03);
    units.set(0);
    assertEquals(0, quota.record(1_000_000_000L, 1_000_000));
  }

  @Test
  void aQuietClientHasASecondOfBurstAndNoMore() {
    assertEquals(0, quota.record(500, 500), "half a second's worth: free");
    assertEquals(0, quota.record(500, 500), "the other half: still within the burst");
    assertEquals(1_000, quota.record(1_000, 1_000), "a second over: wait a second");
  }

  @Test
  void aRefusingHeadIsRefusedWithoutBeingChargedAndSharesTheClockWithTheKafkaHead() {
    assertEquals(0, quota.admit(800, 800), "within the burst: admitted");
    assertEquals(0, quota.record(200, 200), "the Kafka head uses the rest of the burst");
    int retryAfter = quota.admit(100, 100);
    assertEquals(100, retryAfter, "a tenth of a second until a hundred more events fit");
    assertEquals(100, quota.admit(100, 100), "the refusal cost nothing: same answer again");
    now.addAndGet(retryAfter * 1_000_000L);
    assertEquals(0, quota.admit(100, 100), "after Retry-After it fits");
    units.set(0);
    assertEquals(0, quota.admit(1_000_000_000L, 1_000_000), "no quota, nothing refused");
  }
}
