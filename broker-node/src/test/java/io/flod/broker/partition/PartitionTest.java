package io.flod.broker.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.flod.broker.config.BrokerConfig;
import io.flod.broker.config.TopicConfigs;
import io.flod.broker.log.LogConfig;
import io.flod.broker.log.PartitionLog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A leader's high watermark and ISR: what it exposes after a restart, and ISR writes in flight. */
class PartitionTest {
  private static final TopicPartition TP = new TopicPartition("events", 0);
  private static final int MAX = 1 << 20;
  @TempDir Path dir;
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final List<PartitionLog> logs = new ArrayList<>();

  @AfterEach
  void tearDown() throws InterruptedException {
    logs.forEach(PartitionLog::close);
    scheduler.shutdownNow();
    scheduler.awaitTermination(5, TimeUnit.SECONDS);
  }

  private static LogConfig config() {
    return new TopicConfigs(BrokerConfig.from(Map.of(), Map.of())).resolve(Map.of());
  }

  private PartitionLog open(long checkpointedHighWatermark) {
    PartitionLog log =
        PartitionLog.open(
            TP, dir, config(), false, 0, checkpointedHighWatermark, Clock.systemUTC(), scheduler);
    logs.add(log);
    return log;
  }

  private Partition partition(PartitionLog log) {
    return new Partition(TP, log, 1, (tp, bytes) -> {}, (tp, bytes) -> {}, scheduler);
  }

  private static MemoryRecords records(int count) {
    SimpleRecord[] records = new SimpleRecord[count];
    for (int i = 0; i < count; i++) {
      records[i] = new SimpleRecord(("v" + i).getBytes(StandardCharsets.UTF_8));
    }
    return MemoryRecords.withRecords(Compression.NONE, records);
  }

  /** The offset below which a consumer may read. */
  private static long readableEnd(Partition partition) {
    return partition.read(0, MAX, true).highWatermark();
  }

  @Test
  void aRestartedLeaderExposesOnlyWhatWasCommittedUntilItsIsrConfirmsTheRest() {
    PartitionLog before = open(Long.MAX_VALUE);
    before.appendAsLeader(records(10), 1);
    before.updateHighWatermark(6); // followers had confirmed 6 of the 10 records
    before.close();
    logs.clear();

    PartitionLog log = open(6);
    Partition partition = partition(log);
    partition.makeLeader(2, List.of(1, 2, 3), List.of(1, 2, 3), (epoch, isr) -> neverStored());
    assertEquals(10, log.logEndOffset());
    assertEquals(6, readableEnd(partition), "records 6..9 were never committed");

    partition.readForFollower(2, 10, 2, 0);
    assertEquals(6, readableEnd(partition), "follower 3 has not confirmed them yet");
    partition.readForFollower(3, 10, 2, 0);
    assertEquals(10, readableEnd(partition));
  }

  @Test
  void anIsrWriteThatNeverFinishesBlocksNeitherFetchNorProduce() throws Exception {
    PartitionLog log = open(0);
    Partition partition = partition(log);
    List<List<Integer>> proposed = new ArrayList<>();
    CompletableFuture<IsrWriter.Result> stuck = new CompletableFuture<>();
    partition.makeLeader(
        1,
        List.of(1, 2, 3),
        List.of(1, 2),
        (epoch, isr) -> {
          proposed.add(isr);
          return stuck; // ZooKeeper is unreachable
        });

    // Replica 3 catches up: its ISR entry is proposed, and the fetch returns at once.
    partition.readForFollower(3, 0, 1, MAX);
    assertEquals(List.of(List.of(1, 2, 3)), proposed);
    assertEquals(List.of(1, 2), partition.isr(), "not in effect before it is stored");

    // acks=all within the stored ISR goes on; the acknowledgement also waits for the replica
    // being added, so it holds whichever ISR the store ends up with.
    var appended = partition.appendAsLeader(records(3), (short) -1);
    CompletableFuture<Errors> ack = partition.awaitReplication(appended.lastOffset(), 30_000);
    partition.readForFollower(2, 3, 1, MAX);
    assertFalse(ack.isDone());
    partition.readForFollower(3, 3, 1, MAX);
    assertEquals(Errors.NONE, ack.get(5, TimeUnit.SECONDS));
    assertEquals(1, proposed.size(), "one ISR write in flight at a time");

    stuck.complete(IsrWriter.Result.WRITTEN);
    assertEquals(List.of(1, 2, 3), partition.isr());
  }

  @Test
  void aFencedIsrWriteStepsTheLeaderDown() throws Exception {
    PartitionLog log = open(0);
    Partition partition = partition(log);
    CompletableFuture<IsrWriter.Result> write = new CompletableFuture<>();
    partition.makeLeader(1, List.of(1, 2), List.of(1), (epoch, isr) -> write);
    partition.readForFollower(2, 0, 1, MAX);
    write.complete(IsrWriter.Result.FENCED);
    long deadline = System.currentTimeMillis() + 5_000;
    while (partition.isLeader() && System.currentTimeMillis() < deadline) {
      Thread.onSpinWait(); // makeFollower runs on the scheduler
    }
    assertFalse(partition.isLeader());
    assertEquals(List.of(1), partition.isr());
  }

  private static CompletableFuture<IsrWriter.Result> neverStored() {
    return new CompletableFuture<>();
  }
}
