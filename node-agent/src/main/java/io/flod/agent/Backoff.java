package io.flod.agent;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential back-off with jitter between broker restarts: base × 2^(failures-1), capped, then
 * scaled by a random factor in [0.5, 1] so that many machines restarting together spread out.
 */
record Backoff(long baseMs, long maxMs) {
  long delayMs(int consecutiveFailures) {
    if (consecutiveFailures <= 0) {
      return 0;
    }
    long exp = baseMs << Math.min(consecutiveFailures - 1, 20);
    long capped = Math.min(maxMs, exp);
    return (long) (capped * (0.5 + 0.5 * ThreadLocalRandom.current().nextDouble()));
  }
}
