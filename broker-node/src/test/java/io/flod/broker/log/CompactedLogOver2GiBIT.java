package io.flod.broker.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A compacted log of more than 2 GiB in 64 MiB segments whose keys are all distinct, so compaction
 * keeps nearly everything: its output must stay in segments a segment file can hold (positions are
 * ints), and the log must read the same before and after, and after a restart. Records of 1 MiB of
 * random bytes are appended straight to the {@link PartitionLog}: no network, no compression.
 */
class CompactedLogOver2GiBIT {
  private static final TopicPartition TP = new TopicPartition("big-compacted", 0);
  private static final int VALUE_BYTES = 1 << 20;
  private static final int SEGMENT_BYTES = 64 << 20;
  private static final int RECORDS = 2_200; // 2.2 GiB of values
  private static final int SUPERSEDING = 100;
  @TempDir Path dir;
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
  }

  private static final LogConfig CONFIG =
      PartitionLogTest.config(
          "cleanup.policy", "compact",
          "segment.bytes", Integer.toString(SEGMENT_BYTES),
          "max.message.bytes", Integer.toString(2 * VALUE_BYTES));

  private PartitionLog open(boolean clean) {
    return PartitionLog.open(TP, dir, CONFIG, clean, 0, Clock.systemUTC(), scheduler);
  }

  @Test
  void aCompactedLogLargerThan2GiBMadeOfSmallSegmentsStaysReadable() throws Exception {
    long started = System.nanoTime();
    byte[] value = new byte[VALUE_BYTES];
    new Random(42).nextBytes(value);
    try (PartitionLog log = open(false)) {
      for (int i = 0; i < RECORDS; i++) {
        ByteBuffer.wrap(value).putInt(0, i); // each value differs, and says which record it is
        // Record 100 supersedes record 0, so the pass has something to remove.
        String key = i == SUPERSEDING ? "key-0" : "key-" + i;
        log.appendAsLeader(
            MemoryRecords.withRecords(
                Compression.NONE,
                new SimpleRecord(
                    System.currentTimeMillis(), key.getBytes(StandardCharsets.UTF_8), value)),
            0);
      }
      log.updateHighWatermark(log.logEndOffset());
      assertTrue(log.sizeInBytes() > (1L << 31), "over 2 GiB: " + log.sizeInBytes());
      long written = System.nanoTime();

      long removed = log.compact(new KeyOffsetMap(1 << 20));
      assertTrue(removed >= VALUE_BYTES, "the superseded record went: " + removed + " bytes");
      assertTrue(log.sizeInBytes() > (1L << 31), "still over 2 GiB: " + log.sizeInBytes());
      assertReadable(log);
      System.out.printf(
          "MEASURED %.1f GiB written in %.1f s, compacted in %.1f s%n",
          log.sizeInBytes() / (double) (1L << 30),
          (written - started) / 1e9,
          (System.nanoTime() - written) / 1e9);
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path segment : files.filter(f -> f.toString().endsWith(".log")).toList()) {
        assertTrue(Files.size(segment) <= SEGMENT_BYTES, segment + ": " + Files.size(segment));
      }
    }
    try (PartitionLog log = open(true)) {
      assertReadable(log);
    }
  }

  /** The first surviving record, one in the middle and the last read back with their values. */
  private static void assertReadable(PartitionLog log) {
    assertEquals(RECORDS, log.logEndOffset());
    assertValue(log, 0, 1); // offset 0 was superseded: a read from it starts at 1
    assertValue(log, SUPERSEDING, SUPERSEDING);
    assertValue(log, RECORDS / 2, RECORDS / 2);
    assertValue(log, RECORDS - 1, RECORDS - 1);
  }

  private static void assertValue(PartitionLog log, long offset, int expected) {
    LogReadResult read = log.read(offset, VALUE_BYTES * 2, true);
    RecordBatch batch =
        ((FileSliceRecords) read.records()).asFileRecords().batches().iterator().next();
    Record record = batch.iterator().next();
    assertEquals(expected, record.offset());
    assertEquals(expected, record.value().getInt(0), "value of the record read from " + offset);
  }
}
