package io.flod.broker.cluster;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Shutdown steps that may hang on ZooKeeper are waited for at most their limit, all together. */
class BoundedStepTest {
  private final CountDownLatch never = new CountDownLatch(1);

  @Test
  void aStepThatHangsIsLeftBehindAtItsLimit() {
    long start = System.nanoTime();
    assertFalse(BoundedStep.run("hanging", Duration.ofMillis(200), this::hang));
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertTrue(ms >= 200 && ms < 2_000, "waited " + ms + " ms");
  }

  @Test
  void stepsRunTogetherShareOneLimit() {
    long start = System.nanoTime();
    boolean all =
        BoundedStep.runTogether(
            Duration.ofMillis(300), Map.of("a", this::hang, "b", this::hang, "c", () -> {}));
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertFalse(all);
    assertTrue(ms < 2_000, "two hanging steps cost one limit, not two: " + ms + " ms");
  }

  @Test
  void aStepThatFailsOrFinishesIsReportedAsSuch() {
    assertTrue(BoundedStep.run("quick", Duration.ofSeconds(5), () -> {}));
    assertFalse(
        BoundedStep.run(
            "failing",
            Duration.ofSeconds(5),
            () -> {
              throw new IllegalStateException("ZkClient already closed!");
            }));
  }

  private void hang() {
    try {
      never.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
