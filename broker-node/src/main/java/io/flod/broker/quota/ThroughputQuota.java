package io.flod.broker.quota;

import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * Event Hubs' ingress quota for one broker: per throughput unit, 1 MB/s or 1,000 events/s,
 * whichever is reached first, shared evenly by the cluster's live brokers. Accounting is a virtual
 * clock: each produce request moves "free at" forward by the time its bytes or events (whichever
 * costs more) take at the quota's rate; a request that finds the clock more than a one-second burst
 * ahead of now is answered with the difference as its throttle time, and the connection reads
 * nothing more for that long (KIP-219). So a producer running flat out settles at the quota, and
 * nothing is dropped. Zero throughput units: no limit (clusters without a quota).
 */
public final class ThroughputQuota {
  public static final long BYTES_PER_UNIT = 1_000_000;
  public static final long EVENTS_PER_UNIT = 1_000;
  private static final long BURST_NANOS = 1_000_000_000L;

  private final IntSupplier units;
  private final IntSupplier brokers;
  private final LongSupplier nanoTime;
  private long freeAt;

  public ThroughputQuota(IntSupplier units, IntSupplier brokers, LongSupplier nanoTime) {
    this.units = units;
    this.brokers = brokers;
    this.nanoTime = nanoTime;
  }

  /** Records a request's ingress; returns how long its client must wait, in milliseconds. */
  public synchronized int record(long bytes, long events) {
    int tu = units.getAsInt();
    if (tu <= 0) {
      return 0;
    }
    double share = (double) tu / Math.max(1, brokers.getAsInt());
    long cost =
        (long)
            Math.max(
                bytes * 1e9 / (BYTES_PER_UNIT * share), events * 1e9 / (EVENTS_PER_UNIT * share));
    long now = nanoTime.getAsLong();
    freeAt = Math.max(freeAt, now - BURST_NANOS) + cost;
    long ahead = freeAt - now;
    return ahead <= 0 ? 0 : (int) Math.min(Integer.MAX_VALUE, (ahead + 999_999) / 1_000_000);
  }
}
