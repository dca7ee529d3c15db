package io.flod.broker.cluster;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A step of a shutdown that may wait on ZooKeeper (a Helix disconnect, an admin write), run on a
 * thread of its own and waited for at most a deadline. Helix's ZooKeeper client retries every
 * operation until it is connected again, with no limit: a process that is stopping must not wait
 * for a server that may never come back. A step that overruns is logged and left to finish on its
 * daemon thread, not interrupted: a disconnect that is only slow still closes its session, and a
 * JVM that is exiting does not wait for it. The caller goes on with what needs no ZooKeeper, such
 * as closing its logs.
 */
public final class BoundedStep {
  private static final Logger log = LoggerFactory.getLogger(BoundedStep.class);

  private BoundedStep() {}

  /**
   * Runs {@code step} and waits up to {@code limit}; true when it finished in time without
   * throwing. A failure or an overrun is logged as a warning naming {@code what}.
   */
  public static boolean run(String what, Duration limit, Runnable step) {
    return runTogether(limit, Map.of(what, step));
  }

  /**
   * Runs independent {@code steps} (by what they do) at the same time and waits up to {@code limit}
   * for all of them; true when every one finished in time without throwing.
   */
  public static boolean runTogether(Duration limit, Map<String, Runnable> steps) {
    long deadline = System.nanoTime() + limit.toNanos();
    Map<String, Running> started = new LinkedHashMap<>();
    steps.forEach((what, step) -> started.put(what, Running.start(what, step)));
    boolean all = true;
    for (Map.Entry<String, Running> entry : started.entrySet()) {
      all &= entry.getValue().await(entry.getKey(), limit, deadline);
    }
    return all;
  }

  /** One step on its daemon thread. */
  private record Running(CountDownLatch done, AtomicReference<RuntimeException> failure) {
    static Running start(String what, Runnable step) {
      CountDownLatch done = new CountDownLatch(1);
      AtomicReference<RuntimeException> failure = new AtomicReference<>();
      Thread thread =
          new Thread(
              () -> {
                try {
                  step.run();
                } catch (RuntimeException e) {
                  failure.set(e);
                } finally {
                  done.countDown();
                }
              },
              "flod-bounded-" + what.replaceAll("\\s+", "-"));
      thread.setDaemon(true);
      thread.start();
      return new Running(done, failure);
    }

    boolean await(String what, Duration limit, long deadlineNanos) {
      try {
        if (!done.await(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS)) {
          log.warn(
              "{} did not finish within {} ms (ZooKeeper unreachable?): going on without it",
              what,
              limit.toMillis());
          return false;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
      if (failure.get() != null) {
        log.warn("{} failed: {}", what, failure.get().toString());
        return false;
      }
      return true;
    }
  }
}
