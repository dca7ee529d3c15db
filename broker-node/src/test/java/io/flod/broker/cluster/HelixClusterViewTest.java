package io.flod.broker.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** A request never waits on ZooKeeper for longer than the first-read bound. */
class HelixClusterViewTest {
  private static final TopicPartition TP = new TopicPartition("orders", 0);
  private static final PartitionState STATE =
      new PartitionState(TP, 2, 7, List.of(1, 2, 3), List.of(2, 3), 1);

  @Test
  void aPartitionSeenFirstWhileZooKeeperHangsIsAnsweredAtOnceWithoutALeaderThenFromTheRead()
      throws Exception {
    CountDownLatch zooKeeperBack = new CountDownLatch(1);
    AtomicInteger reads = new AtomicInteger();
    try (HelixClusterView view =
        new HelixClusterView(
            "c",
            null,
            tp -> 2,
            tp -> {
              reads.incrementAndGet();
              try {
                zooKeeperBack.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return Optional.of(STATE);
            })) {
      for (int i = 0; i < 5; i++) {
        long started = System.nanoTime();
        ClusterView.PartitionLeadership answer = view.leadership(TP);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertEquals(-1, answer.leaderId(), "no leader yet: clients retry");
        assertTrue(ms < 5 * HelixClusterView.FIRST_READ_WAIT_MS, "bounded: " + ms + " ms");
      }
      assertEquals(1, reads.get(), "one read in flight, not one per request");
      zooKeeperBack.countDown();
      Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(5))
          .until(() -> view.leadership(TP).leaderId() == 2);
      ClusterView.PartitionLeadership answer = view.leadership(TP);
      assertEquals(7, answer.leaderEpoch());
      assertEquals(List.of(2, 3), answer.isr());
    }
  }

  @Test
  void withZooKeeperThereTheFirstRequestGetsTheWholeAnswer() {
    try (HelixClusterView view =
        new HelixClusterView("c", null, tp -> 2, tp -> Optional.of(STATE))) {
      assertEquals(2, view.leadership(TP).leaderId());
    }
  }

  @Test
  void aLeaderInTheViewThatTheStateDoesNotNameIsNoLeaderYet() {
    try (HelixClusterView view =
        new HelixClusterView("c", null, tp -> 3, tp -> Optional.of(STATE))) {
      assertEquals(-1, view.leadership(TP).leaderId());
    }
  }
}
