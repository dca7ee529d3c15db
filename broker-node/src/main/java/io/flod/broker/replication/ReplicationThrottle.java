package io.flod.broker.replication;

/**
 * The bandwidth a leader grants to replicas that a move is adding, shared by all partitions of the
 * broker (Kafka's {@code leader.replication.throttled.rate}, on by default here): a token bucket
 * holding one second's worth. It never blocks: a throttled fetch gets what the bucket holds now
 * (possibly nothing) and comes back, so producers keep their disk and network.
 */
public final class ReplicationThrottle {
  private final long bytesPerSecond;
  private double tokens;
  private long lastRefillNanos;

  public ReplicationThrottle(long bytesPerSecond) {
    this.bytesPerSecond = bytesPerSecond;
    this.tokens = bytesPerSecond;
    this.lastRefillNanos = System.nanoTime();
  }

  /** How many of {@code wanted} bytes may be sent now; 0 if the budget is spent. */
  public synchronized int available(int wanted) {
    if (bytesPerSecond <= 0) {
      return wanted; // unthrottled
    }
    long now = System.nanoTime();
    tokens = Math.min(bytesPerSecond, tokens + (now - lastRefillNanos) * bytesPerSecond / 1e9);
    lastRefillNanos = now;
    return tokens < 1 ? 0 : (int) Math.min(wanted, tokens);
  }

  /** Charges bytes actually sent; a whole batch may overshoot, which later fetches pay back. */
  public synchronized void consume(int bytes) {
    if (bytesPerSecond > 0) {
      tokens -= bytes;
    }
  }
}
