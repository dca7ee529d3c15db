package io.flod.broker.fetch;

import io.flod.broker.partition.HighWatermarkListener;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;

/**
 * Fetches parked until enough new data arrives ({@code min.bytes}) or their {@code max.wait.ms}
 * passes, whichever comes first. Appends report new readable bytes per partition; a waiting fetch
 * completes once the bytes on its partitions reach what it still needs. Completing only signals:
 * the fetch is then read again on a request-handler thread.
 */
public final class DelayedFetches implements HighWatermarkListener {
  private final ScheduledExecutorService timer;
  private final Map<TopicPartition, Set<Waiter>> waiters = new ConcurrentHashMap<>();

  public DelayedFetches(ScheduledExecutorService timer) {
    this.timer = timer;
  }

  /** A parked fetch. */
  public final class Waiter {
    final CompletableFuture<Void> done = new CompletableFuture<>();
    final AtomicLong bytesNeeded;
    final Collection<TopicPartition> partitions;
    volatile ScheduledFuture<?> timeout;

    Waiter(Collection<TopicPartition> partitions, long bytesNeeded) {
      this.partitions = partitions;
      this.bytesNeeded = new AtomicLong(bytesNeeded);
    }

    public CompletableFuture<Void> future() {
      return done;
    }

    /** Completes now: the caller saw data arrive while it was registering. */
    public void complete() {
      if (done.complete(null)) {
        for (TopicPartition tp : partitions) {
          Set<Waiter> set = waiters.get(tp);
          if (set != null) {
            set.remove(this);
          }
        }
        ScheduledFuture<?> scheduled = timeout;
        if (scheduled != null) {
          scheduled.cancel(false);
        }
      }
    }
  }

  /**
   * Completes when {@code bytesNeeded} new bytes arrive on {@code partitions}, or after the wait.
   */
  public Waiter await(Collection<TopicPartition> partitions, long bytesNeeded, long maxWaitMs) {
    Waiter waiter = new Waiter(partitions, bytesNeeded);
    for (TopicPartition tp : partitions) {
      waiters.computeIfAbsent(tp, k -> ConcurrentHashMap.newKeySet()).add(waiter);
    }
    waiter.timeout = timer.schedule(waiter::complete, maxWaitMs, TimeUnit.MILLISECONDS);
    if (waiter.done.isDone()) {
      waiter.timeout.cancel(false);
    }
    return waiter;
  }

  @Override
  public void highWatermarkAdvanced(TopicPartition topicPartition, int newBytes) {
    Set<Waiter> set = waiters.get(topicPartition);
    if (set == null || set.isEmpty()) {
      return;
    }
    for (Waiter waiter : set) {
      if (waiter.bytesNeeded.addAndGet(-newBytes) <= 0) {
        waiter.complete();
      }
    }
  }
}
