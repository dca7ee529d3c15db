package io.flod.broker.network;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * A warning that a client can cause at will (refused connections, hostile frames): logged at most
 * once per interval, with how many occurred since the last line, so that a flood of bad clients
 * cannot flood the operator's log.
 */
final class ThrottledWarning {
  private final Logger log;
  private final long intervalNs;
  private final AtomicLong sinceLastLine = new AtomicLong();
  private final AtomicLong lastLineNs;

  ThrottledWarning(Logger log, long intervalSeconds) {
    this.log = log;
    this.intervalNs = intervalSeconds * 1_000_000_000L;
    this.lastLineNs = new AtomicLong(System.nanoTime() - intervalNs);
  }

  /** Logs {@code format} (SLF4J style) and how many occurred, unless a line went out lately. */
  void warn(String format, Object... args) {
    long count = sinceLastLine.incrementAndGet();
    long now = System.nanoTime();
    long last = lastLineNs.get();
    if (now - last >= intervalNs && lastLineNs.compareAndSet(last, now)) {
      sinceLastLine.addAndGet(-count);
      log.warn(
          format + " ({} such in the last {} s)",
          append(append(args, count), intervalNs / 1_000_000_000L));
    }
  }

  private static Object[] append(Object[] args, Object last) {
    Object[] out = java.util.Arrays.copyOf(args, args.length + 1);
    out[args.length] = last;
    return out;
  }
}
