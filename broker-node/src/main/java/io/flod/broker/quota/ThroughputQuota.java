package io.flod.broker.quota;

import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * One of Event Hubs' throughput quotas for one broker, shared evenly by the cluster's live brokers:
 * ingress, per throughput unit 1 MB/s or 1,000 events/s, and egress, 2 MB/s or 4,096 events/s,
 * whichever is reached first. Accounting is a virtual clock: each request moves "free at" forward
 * by the time its bytes or events (whichever costs more) take at the quota's rate; a request that
 * finds the clock more than a one-second burst ahead of now is answered with the difference as its
 * throttle time, and the connection reads nothing more for that long (KIP-219). So a client running
 * flat out settles at the quota, and nothing is dropped. Zero throughput units: no limit (clusters
 * without a quota).
 */
public final class ThroughputQuota {
  public static final long BYTES_PER_UNIT = 1_000_000;
  public static final long EVENTS_PER_UNIT = 1_000;
  public static final long EGRESS_BYTES_PER_UNIT = 2_000_000;
  public static final long EGRESS_EVENTS_PER_UNIT = 4_096;
  private static final long BURST_NANOS = 1_000_000_000L;

  private final String direction;
  private final long bytesPerUnit;
  private final long eventsPerUnit;
  private final IntSupplier units;
  private final IntSupplier brokers;
  private final LongSupplier nanoTime;
  private long freeAt;

  private ThroughputQuota(
      String direction,
      long bytesPerUnit,
      long eventsPerUnit,
      IntSupplier units,
      IntSupplier brokers,
      LongSupplier nanoTime) {
    this.direction = direction;
    this.bytesPerUnit = bytesPerUnit;
    this.eventsPerUnit = eventsPerUnit;
    this.units = units;
    this.brokers = brokers;
    this.nanoTime = nanoTime;
  }

  /** Produce, and publish over HTTPS. */
  public static ThroughputQuota ingress(
      IntSupplier units, IntSupplier brokers, LongSupplier nanoTime) {
    return new ThroughputQuota(
        "ingress", BYTES_PER_UNIT, EVENTS_PER_UNIT, units, brokers, nanoTime);
  }

  /** Consumers' fetches (replication is not counted). */
  public static ThroughputQuota egress(
      IntSupplier units, IntSupplier brokers, LongSupplier nanoTime) {
    return new ThroughputQuota(
        "egress", EGRESS_BYTES_PER_UNIT, EGRESS_EVENTS_PER_UNIT, units, brokers, nanoTime);
  }

  /**
   * The client id of the HTTPS head's own producer. Its sends were charged when the HTTPS request
   * arrived, so the Kafka head does not charge them again; on a listener with SASL the head logs in
   * as the broker and is known by that, and only a cluster without authentication, where any client
   * may do anything anyway, relies on this id.
   */
  public static final String HTTPS_HEAD_CLIENT_ID = "$flod-https-head";

  /** What the quota is now, for a refusal's message. */
  public String describe() {
    int tu = units.getAsInt();
    return tu
        + " throughput unit"
        + (tu == 1 ? "" : "s")
        + " ("
        + tu * bytesPerUnit / 1_000_000
        + " MB/s or "
        + String.format(java.util.Locale.ROOT, "%,d", tu * eventsPerUnit)
        + " events/s of "
        + direction
        + ")";
  }

  /** Records a request's ingress; returns how long its client must wait, in milliseconds. */
  public synchronized int record(long bytes, long events) {
    long cost = cost(bytes, events);
    if (cost < 0) {
      return 0;
    }
    long now = nanoTime.getAsLong();
    freeAt = Math.max(freeAt, now - BURST_NANOS) + cost;
    return millis(freeAt - now);
  }

  /**
   * For a head that refuses instead of delaying (HTTPS answers 429): a request that fits now is
   * recorded and 0 returned; one that does not is not recorded at all (a refused request costs
   * nothing) and the milliseconds until it would fit are returned.
   */
  public synchronized int admit(long bytes, long events) {
    long cost = cost(bytes, events);
    if (cost < 0) {
      return 0;
    }
    long now = nanoTime.getAsLong();
    long after = Math.max(freeAt, now - BURST_NANOS) + cost;
    if (after > now) {
      return Math.max(1, millis(after - now));
    }
    freeAt = after;
    return 0;
  }

  /** Nanoseconds of quota the request uses, or -1 when there is no quota. */
  private long cost(long bytes, long events) {
    int tu = units.getAsInt();
    if (tu <= 0) {
      return -1;
    }
    double share = (double) tu / Math.max(1, brokers.getAsInt());
    return (long)
        Math.max(bytes * 1e9 / (bytesPerUnit * share), events * 1e9 / (eventsPerUnit * share));
  }

  private static int millis(long aheadNanos) {
    return aheadNanos <= 0
        ? 0
        : (int) Math.min(Integer.MAX_VALUE, (aheadNanos + 999_999) / 1_000_000);
  }
}
