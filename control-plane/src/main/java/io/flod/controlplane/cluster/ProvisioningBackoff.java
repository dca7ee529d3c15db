package io.flod.controlplane.cluster;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * After the provider fails to make a cluster's machines, its passes leave the provider alone for a
 * while, doubling from one second to a minute while it keeps failing: a cloud out of quota is not
 * helped by a request every second per cluster. A change to the cluster (a request that triggers a
 * pass) or a success starts over. Kept per instance; another instance may retry sooner, which is
 * harmless.
 */
final class ProvisioningBackoff {
  private static final Duration FIRST = Duration.ofSeconds(1);
  private static final Duration LONGEST = Duration.ofMinutes(1);

  private record Wait(Instant until, Duration length) {}

  private final Map<UUID, Wait> waits = new ConcurrentHashMap<>();

  /** True while the cluster's last failure is too recent for another attempt. */
  boolean waiting(UUID clusterId, Instant now) {
    Wait wait = waits.get(clusterId);
    return wait != null && now.isBefore(wait.until());
  }

  void failed(UUID clusterId, Instant now) {
    waits.compute(
        clusterId,
        (id, last) -> {
          Duration length = last == null ? FIRST : min(last.length().multipliedBy(2), LONGEST);
          return new Wait(now.plus(length), length);
        });
  }

  void reset(UUID clusterId) {
    waits.remove(clusterId);
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
