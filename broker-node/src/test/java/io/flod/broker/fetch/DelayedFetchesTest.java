package io.flod.broker.fetch;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DelayedFetchesTest {
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final DelayedFetches fetches = new DelayedFetches(timer);
  private final TopicPartition a = new TopicPartition("a", 0);
  private final TopicPartition b = new TopicPartition("b", 0);

  @AfterEach
  void stop() {
    timer.shutdownNow();
  }

  @Test
  void completesOnceEnoughBytesArriveOnAnyWatchedPartition() {
    DelayedFetches.Waiter waiter = fetches.await(List.of(a, b), 100, 60_000);
    fetches.highWatermarkAdvanced(a, 60);
    assertFalse(waiter.future().isDone(), "60 of 100 bytes");
    fetches.highWatermarkAdvanced(new TopicPartition("other", 0), 1000);
    assertFalse(waiter.future().isDone(), "bytes elsewhere do not count");
    fetches.highWatermarkAdvanced(b, 40);
    assertTrue(waiter.future().isDone());
  }

  @Test
  void completesWhenTheWaitRunsOut() throws Exception {
    DelayedFetches.Waiter waiter = fetches.await(List.of(a), 1_000_000, 50);
    waiter.future().get(10, TimeUnit.SECONDS);
    assertTrue(waiter.future().isDone());
  }
}
