package io.flod.broker.cluster;

import io.flod.broker.quota.ThrottleLog;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes this broker's {@link ThrottleLog} for the cluster's throttling report whenever it
 * changed since the last time (so an idle broker writes nothing), and logs the start and end of
 * throttling once each for operators.
 */
public final class ThrottlingReporter implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(ThrottlingReporter.class);
  private final int brokerId;
  private final ThrottleLog throttles;
  private final ZkThrottling published;
  private List<ThrottleLog.Entry> last = List.of();
  private boolean wrote;

  public ThrottlingReporter(int brokerId, ThrottleLog throttles, ZkThrottling published) {
    this.brokerId = brokerId;
    this.throttles = throttles;
    this.published = published;
  }

  @Override
  public void run() {
    List<ThrottleLog.Entry> now = throttles.snapshot();
    if (now.equals(last) && wrote) {
      return;
    }
    try {
      published.publish(brokerId, now);
      if (last.isEmpty() && !now.isEmpty()) {
        log.info("node={} throttling clients over the quota: {}", brokerId, now.get(0));
      } else if (!last.isEmpty() && now.isEmpty()) {
        log.info("node={} no throttling in the last {} s", brokerId, ThrottleLog.WINDOW_SECONDS);
      }
      last = now;
      wrote = true;
    } catch (RuntimeException e) {
      log.warn("node={} cannot publish the throttling report: {}", brokerId, e.toString());
    }
  }
}
