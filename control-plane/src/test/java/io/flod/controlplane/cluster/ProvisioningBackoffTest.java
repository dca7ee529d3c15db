package io.flod.controlplane.cluster;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ProvisioningBackoffTest {
  private final ProvisioningBackoff backoff = new ProvisioningBackoff();
  private final UUID cluster = UUID.randomUUID();
  private final Instant t0 = Instant.parse("2026-11-23T10:00:00Z");

  @Test
  void waitsDoubleWhileTheProviderKeepsFailingUpToAMinute() {
    assertFalse(backoff.waiting(cluster, t0), "no failure yet");
    Instant at = t0;
    long[] expectedSeconds = {1, 2, 4, 8, 16, 32, 60, 60};
    for (long seconds : expectedSeconds) {
      backoff.failed(cluster, at);
      assertTrue(backoff.waiting(cluster, at.plusSeconds(seconds).minusMillis(1)));
      at = at.plusSeconds(seconds);
      assertFalse(backoff.waiting(cluster, at), "retried after " + seconds + " s");
    }
    assertFalse(backoff.waiting(UUID.randomUUID(), t0), "other clusters are not held back");
  }

  @Test
  void aResetRetriesAtOnceAndStartsOverFromOneSecond() {
    backoff.failed(cluster, t0);
    backoff.failed(cluster, t0.plusSeconds(1));
    backoff.reset(cluster);
    assertFalse(backoff.waiting(cluster, t0.plusSeconds(1)));
    backoff.failed(cluster, t0.plusSeconds(10));
    assertFalse(backoff.waiting(cluster, t0.plusSeconds(11)));
  }
}
