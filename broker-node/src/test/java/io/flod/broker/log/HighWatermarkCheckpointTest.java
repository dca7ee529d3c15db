package io.flod.broker.log;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica's high watermark survives a restart as checkpointed, never as its log end: records past
 * the committed offset stay invisible to consumers until the replicas confirm them again.
 */
class HighWatermarkCheckpointTest {
  private static final TopicPartition TP = new TopicPartition("orders", 0);
  @TempDir Path dir;
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void tearDown() throws InterruptedException {
    scheduler.shutdownNow();
    scheduler.awaitTermination(5, TimeUnit.SECONDS);
  }

  private LogManager open() {
    return new LogManager(dir, Clock.systemUTC(), scheduler);
  }

  private static MemoryRecords records(int count) {
    SimpleRecord[] records = new SimpleRecord[count];
    for (int i = 0; i < count; i++) {
      records[i] = new SimpleRecord(("v" + i).getBytes(StandardCharsets.UTF_8));
    }
    return MemoryRecords.withRecords(Compression.NONE, records);
  }

  @Test
  void aCrashedReplicaRestartsWithTheCheckpointedHighWatermarkNotItsLogEnd() {
    LogManager before = open();
    PartitionLog log = before.getOrCreate(TP, PartitionLogTest.config());
    log.appendAsLeader(records(10), 1);
    log.updateHighWatermark(6); // the ISR confirmed 6 of the 10 records
    before.checkpointRecoveryPoints();
    log.flush();
    // A crash: no clean close, the files stay as they are.

    LogManager after = open();
    PartitionLog reopened = after.getOrCreate(TP, PartitionLogTest.config());
    assertEquals(10, reopened.logEndOffset());
    assertEquals(6, reopened.highWatermark());
    after.close();
  }

  @Test
  void aCleanCloseKeepsTheHighWatermarkToo() {
    LogManager before = open();
    PartitionLog log = before.getOrCreate(TP, PartitionLogTest.config());
    log.appendAsLeader(records(10), 1);
    log.updateHighWatermark(4);
    before.close();

    LogManager after = open();
    PartitionLog reopened = after.getOrCreate(TP, PartitionLogTest.config());
    assertEquals(10, reopened.logEndOffset());
    assertEquals(4, reopened.highWatermark());
    after.close();
  }

  @Test
  void aPartitionWithoutACheckpointStartsAtItsLogStartUntilConfirmed() {
    LogManager before = open();
    PartitionLog log = before.getOrCreate(TP, PartitionLogTest.config());
    log.appendAsLeader(records(5), 1);
    log.flush();
    // Crashed before the first checkpoint was written.

    LogManager after = open();
    PartitionLog reopened = after.getOrCreate(TP, PartitionLogTest.config());
    assertEquals(5, reopened.logEndOffset());
    assertEquals(0, reopened.highWatermark());
    after.close();
  }
}
