package io.flod.broker.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartitionLogTest {
  private static final TopicPartition TP = new TopicPartition("t", 0);
  @TempDir Path dir;
  private ScheduledExecutorService scheduler;
  private final Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

  @BeforeEach
  void setUp() {
    scheduler = Executors.newSingleThreadScheduledExecutor();
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    scheduler.shutdownNow();
    scheduler.awaitTermination(5, TimeUnit.SECONDS);
  }

  /** A topic's log config from overrides, parsed the way topics' configs are. */
  static LogConfig config(String... keyValues) {
    java.util.Map<String, String> overrides = new java.util.HashMap<>();
    overrides.put("file.delete.delay.ms", "0");
    for (int i = 0; i < keyValues.length; i += 2) {
      overrides.put(keyValues[i], keyValues[i + 1]);
    }
    return new io.flod.broker.config.TopicConfigs(
            io.flod.broker.config.BrokerConfig.from(java.util.Map.of(), java.util.Map.of()))
        .resolve(overrides);
  }

  private static LogConfig smallSegments() {
    return config("segment.bytes", "1024", "index.interval.bytes", "128");
  }

  private PartitionLog open(LogConfig config, boolean clean, long recoveryPoint) {
    return PartitionLog.open(TP, dir, config, clean, recoveryPoint, clock, scheduler);
  }

  private static MemoryRecords batch(long timestamp, String... values) {
    SimpleRecord[] records = new SimpleRecord[values.length];
    for (int i = 0; i < values.length; i++) {
      records[i] =
          new SimpleRecord(
              timestamp + i,
              ("k" + i).getBytes(StandardCharsets.UTF_8),
              values[i].getBytes(StandardCharsets.UTF_8));
    }
    return MemoryRecords.withRecords(Compression.NONE, records);
  }

  private static MemoryRecords idempotent(
      long producerId, short epoch, int sequence, String value) {
    return MemoryRecords.withIdempotentRecords(
        Compression.NONE,
        producerId,
        epoch,
        sequence,
        new SimpleRecord(1000L, value.getBytes(StandardCharsets.UTF_8)));
  }

  /** Appends as a sole replica does: the high watermark follows the log end. */
  private static LogAppendResult append(PartitionLog log, MemoryRecords records, int leaderEpoch) {
    LogAppendResult result = log.appendAsLeader(records, leaderEpoch);
    log.updateHighWatermark(log.logEndOffset());
    return result;
  }

  private static List<String> values(LogReadResult read) throws Exception {
    List<String> out = new ArrayList<>();
    FileRecords records = ((FileSliceRecords) read.records()).asFileRecords();
    for (RecordBatch batch : records.batches()) {
      for (Record record : batch) {
        byte[] bytes = new byte[record.valueSize()];
        record.value().get(bytes);
        out.add(record.offset() + "=" + new String(bytes, StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  @Test
  void appendsAssignDenseOffsetsAndReadsStartAtTheRequestedBatch() throws Exception {
    try (PartitionLog log = open(smallSegments(), false, 0)) {
      for (int i = 0; i < 50; i++) {
        LogAppendResult result = append(log, batch(1000 + i, "a" + i, "b" + i), 3);
        assertEquals(2L * i, result.firstOffset());
        assertEquals(2L * i + 1, result.lastOffset());
      }
      assertEquals(100, log.logEndOffset());
      assertEquals(100, log.highWatermark());
      assertTrue(log.segmentCount() > 3, "1 KiB segments rolled: " + log.segmentCount());
      // A read from the middle of a later segment starts at the batch holding that offset.
      List<String> read = values(log.read(61, 100_000, true));
      assertEquals("60=a30", read.get(0));
      assertTrue(read.contains("61=b30"));
      assertThrows(OffsetOutOfRangeException.class, () -> log.read(101, 1000, true));
      assertEquals(0, log.read(100, 1000, true).sizeInBytes(), "at the end: nothing, no error");
    }
  }

  @Test
  void aReadCutByItsLimitEndsAfterItsLastWholeBatch() throws Exception {
    // Batches of about 11 KB, each one indexed (as producers' 16 KB batches are by default).
    try (PartitionLog log = open(config("index.interval.bytes", "4096"), false, 0)) {
      String[] values = new String[100];
      java.util.Arrays.fill(values, "v".repeat(100));
      for (int i = 0; i < 20; i++) {
        append(log, batch(clock.millis() + i, values), 0);
      }
      for (int limit = 20_000; limit < 200_000; limit += 7_919) {
        LogReadResult read = log.readForReplica(0, limit);
        assertEquals(
            values(read).size(),
            read.endOffset(),
            "limit " + limit + ": the end offset counts the whole batches returned");
      }
    }
  }

  @Test
  void readsNeverPassTheHighWatermark() throws Exception {
    try (PartitionLog log = open(LogConfig.defaults(), false, 0)) {
      append(log, batch(1, "a"), 0);
      log.appendAsLeader(batch(2, "b"), 0);
      log.appendAsLeader(batch(3, "c"), 0);
      assertEquals(1, log.highWatermark());
      assertEquals(List.of("0=a"), values(log.read(0, 100_000, true)));
      assertEquals(0, log.read(1, 100_000, true).sizeInBytes());
    }
  }

  @Test
  void minOneBatchLetsALargeBatchThroughASmallLimit() throws Exception {
    try (PartitionLog log = open(LogConfig.defaults(), false, 0)) {
      append(log, batch(1, "x".repeat(500)), 0);
      assertEquals(0, log.read(0, 10, false).sizeInBytes());
      assertEquals(1, values(log.read(0, 10, true)).size());
    }
  }

  @Test
  void batchesAreValidatedBeforeTheyAreStored() {
    LogConfig tiny = config("max.message.bytes", "100");
    try (PartitionLog log = open(tiny, false, 0)) {
      assertThrows(RecordTooLargeException.class, () -> append(log, batch(1, "y".repeat(200)), 0));
      MemoryRecords corrupt = batch(1, "value");
      corrupt.buffer().put(corrupt.sizeInBytes() - 2, (byte) 0x7f);
      assertThrows(CorruptRecordException.class, () -> append(log, corrupt, 0));
      assertEquals(0, log.logEndOffset(), "nothing was stored");
    }
  }

  @Test
  void leaderEpochAndLogAppendTimeAreStampedIntoTheBatch() throws Exception {
    LogConfig appendTime = config("message.timestamp.type", "LogAppendTime");
    try (PartitionLog log = open(appendTime, false, 0)) {
      LogAppendResult result = append(log, batch(5, "v"), 7);
      assertEquals(clock.millis(), result.logAppendTimeMs());
      RecordBatch stored =
          ((FileSliceRecords) log.read(0, 1000, true).records())
              .asFileRecords()
              .batches()
              .iterator()
              .next();
      assertEquals(7, stored.partitionLeaderEpoch());
      assertEquals(TimestampType.LOG_APPEND_TIME, stored.timestampType());
      assertEquals(clock.millis(), stored.maxTimestamp());
      assertTrue(stored.isValid(), "the CRC still matches after stamping");
    }
  }

  @Test
  void offsetForTimestampFindsTheFirstRecordAtOrAfterIt() {
    try (PartitionLog log = open(smallSegments(), false, 0)) {
      for (int i = 0; i < 40; i++) {
        append(log, batch(10_000 + 10L * i, "v" + i), 0);
      }
      assertEquals(0, log.offsetForTimestamp(0).offset);
      assertEquals(13, log.offsetForTimestamp(10_125).offset);
      assertEquals(13, log.offsetForTimestamp(10_130).offset);
      assertEquals(10_130, log.offsetForTimestamp(10_130).timestamp);
      assertNull(log.offsetForTimestamp(20_000));
      assertEquals(39, log.offsetOfMaxTimestamp().offset);
    }
  }

  @Test
  void aRetriedIdempotentBatchGetsItsOriginalOffsetEvenAfterReopening() {
    try (PartitionLog log = open(LogConfig.defaults(), false, 0)) {
      append(log, batch(1, "other"), 0);
      assertEquals(1, append(log, idempotent(42, (short) 0, 0, "first"), 0).firstOffset());
      assertEquals(2, append(log, idempotent(42, (short) 0, 1, "second"), 0).firstOffset());
      LogAppendResult retry = append(log, idempotent(42, (short) 0, 0, "first"), 0);
      assertTrue(retry.duplicate());
      assertEquals(1, retry.firstOffset());
      assertEquals(3, log.logEndOffset(), "the duplicate was not stored");
    }
    // After a clean restart the producer state comes from the snapshot...
    try (PartitionLog log = open(LogConfig.defaults(), true, 0)) {
      assertEquals(2, append(log, idempotent(42, (short) 0, 1, "second"), 0).firstOffset());
      assertThrows(
          OutOfOrderSequenceException.class,
          () -> append(log, idempotent(42, (short) 0, 5, "gap"), 0));
    }
  }

  @Test
  void producersIdleForTheExpirationAreForgottenAndTheOthersKept() {
    io.flod.broker.support.ManualClock manual = new io.flod.broker.support.ManualClock();
    try (PartitionLog log =
        PartitionLog.open(TP, dir, LogConfig.defaults(), false, 0, manual, scheduler)) {
      for (long producer = 1; producer <= 1000; producer++) {
        append(log, idempotent(producer, (short) 0, 0, "once"), 0);
      }
      manual.advance(60_000);
      append(log, idempotent(5000, (short) 0, 0, "recent"), 0);
      assertEquals(1001, log.producerCount());
      manual.advance(30_000);

      assertEquals(1000, log.expireProducers(90_000), "the thousand idle for 90 s go");
      assertEquals(1, log.producerCount());
      // The recent one is still deduplicated; a forgotten one starts again as new.
      assertTrue(append(log, idempotent(5000, (short) 0, 0, "recent"), 0).duplicate());
      assertFalse(append(log, idempotent(7, (short) 0, 3, "after expiry"), 0).duplicate());
    }
  }

  @Test
  void producerStateIsRebuiltFromTheLogAfterACrash() throws Exception {
    try (PartitionLog log = open(LogConfig.defaults(), false, 0)) {
      append(log, idempotent(7, (short) 2, 0, "a"), 0);
      append(log, idempotent(7, (short) 2, 1, "b"), 0);
    }
    // Simulate a crash that lost the snapshot written at close.
    try (var files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".snapshot")).toList()) {
        Files.delete(f);
      }
    }
    try (PartitionLog log = open(LogConfig.defaults(), false, 0)) {
      assertEquals(
          1, append(log, idempotent(7, (short) 2, 1, "b"), 0).firstOffset(), "replayed dedupe");
      assertThrows(
          InvalidProducerEpochException.class,
          () -> append(log, idempotent(7, (short) 1, 2, "old"), 0));
      assertThrows(
          OutOfOrderSequenceException.class,
          () -> append(log, idempotent(7, (short) 3, 4, "new epoch"), 0));
      assertEquals(2, append(log, idempotent(7, (short) 3, 0, "new epoch"), 0).firstOffset());
    }
  }

  @Test
  void recoveryTruncatesATornTailAndRebuildsIndexes() throws Exception {
    try (PartitionLog log = open(smallSegments(), false, 0)) {
      for (int i = 0; i < 30; i++) {
        append(log, batch(100 + i, "v" + i), 0);
      }
    }
    Path last;
    try (var files = Files.list(dir)) {
      last =
          files
              .filter(p -> p.toString().endsWith(".log"))
              .sorted()
              .reduce((a, b) -> b)
              .orElseThrow();
    }
    long size = Files.size(last);
    try (RandomAccessFile file = new RandomAccessFile(last.toFile(), "rw")) {
      file.setLength(size - 5);
    }
    Files.delete(last.resolveSibling(last.getFileName().toString().replace(".log", ".index")));
    try (PartitionLog log = open(smallSegments(), false, 0)) {
      assertEquals(29, log.logEndOffset(), "the torn last batch is gone, the rest stays");
      assertEquals(List.of("28=v28"), values(log.read(28, 100_000, true)));
      assertEquals(29, append(log, batch(1, "again"), 0).firstOffset());
    }
  }

  @Test
  void aSegmentRollsWhenItsFirstRecordIsOlderThanSegmentMs() {
    io.flod.broker.support.ManualClock manual = new io.flod.broker.support.ManualClock();
    try (PartitionLog log =
        PartitionLog.open(TP, dir, config("segment.ms", "60000"), false, 0, manual, scheduler)) {
      append(log, batch(manual.millis(), "first"), 0);
      manual.advance(30_000);
      append(log, batch(manual.millis(), "young"), 0);
      assertEquals(1, log.segmentCount());
      manual.advance(31_000);
      append(log, batch(manual.millis(), "old"), 0);
      assertEquals(2, log.segmentCount(), "the first record is over a minute old: roll");
    }
  }

  @Test
  void flushMessagesOneFlushesEveryAppendAndAdvancesTheRecoveryPoint() {
    try (PartitionLog log = open(config("flush.messages", "1"), false, 0)) {
      append(log, batch(1, "a"), 0);
      assertEquals(1, log.recoveryPoint(), "flushed before the append returned");
      append(log, batch(2, "b", "c"), 0);
      assertEquals(3, log.recoveryPoint());
    }
    try (PartitionLog log =
        PartitionLog.open(
            TP, dir.resolve("os-flush"), LogConfig.defaults(), false, 0, clock, scheduler)) {
      append(log, batch(1, "a"), 0);
      assertEquals(0, log.recoveryPoint(), "left to the OS: nothing flushed yet");
    }
  }

  @Test
  void retentionBySizeDeletesWholeOldSegmentsButNotTheActiveOne() {
    LogConfig bounded =
        config(
            "segment.bytes",
            "1024",
            "index.interval.bytes",
            "128",
            "retention.ms",
            "-1",
            "retention.bytes",
            "2048");
    try (PartitionLog log = open(bounded, false, 0)) {
      for (int i = 0; i < 100; i++) {
        append(log, batch(100 + i, "value-" + i), 0);
      }
      int before = log.segmentCount();
      assertTrue(log.deleteRetainedSegments() > 0);
      assertTrue(log.segmentCount() < before);
      assertTrue(log.sizeInBytes() < 2048 + 1024);
      assertTrue(log.logStartOffset() > 0);
      assertEquals(100, log.logEndOffset());
      assertThrows(OffsetOutOfRangeException.class, () -> log.read(0, 1000, true));
      assertFalse(log.read(log.logStartOffset(), 100, true).sizeInBytes() == 0);
    }
  }

  /** Reads a replica fetch's bytes back as in-memory batches, as a follower receives them. */
  private static MemoryRecords asFetched(LogReadResult read) throws Exception {
    FileRecords records = ((FileSliceRecords) read.records()).asFileRecords();
    java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(records.sizeInBytes());
    records.readInto(buffer, 0); // flips the buffer
    return MemoryRecords.readableRecords(buffer);
  }

  @Test
  void followerCopiesTheLeaderLogAndTruncatesADivergentSuffixByEpoch() throws Exception {
    Path leaderDir = dir.resolve("leader");
    Path followerDir = dir.resolve("follower");
    try (PartitionLog leader =
            PartitionLog.open(TP, leaderDir, smallSegments(), true, 0, clock, scheduler);
        PartitionLog follower =
            PartitionLog.open(TP, followerDir, smallSegments(), true, 0, clock, scheduler)) {
      for (int i = 0; i < 20; i++) {
        leader.appendAsLeader(batch(1000, "a" + i, "b" + i), 3);
      }
      // The follower reads beyond the leader's high watermark (still 0) in several fetches.
      while (follower.logEndOffset() < leader.logEndOffset()) {
        int appended =
            follower.appendAsFollower(
                asFetched(leader.readForReplica(follower.logEndOffset(), 300)));
        assertTrue(appended > 0, "every fetch moves the follower on");
      }
      assertEquals(40, follower.logEndOffset());
      assertEquals(3, follower.latestEpoch());
      assertTrue(follower.segmentCount() > 1, "small segments roll on the follower too");

      // The follower, made leader at epoch 4, writes a suffix the old leader never sees.
      follower.appendAsLeader(batch(1000, "x", "y"), 4);
      assertEquals(42, follower.logEndOffset());
      // The old leader comes back as a follower: epoch 3 ends at 40 on the new leader.
      EpochEnd end = follower.endOffsetForEpoch(leader.latestEpoch());
      assertEquals(new EpochEnd(3, 40), end);
      assertEquals(new EpochEnd(4, 42), follower.endOffsetForEpoch(4));
      assertEquals(new EpochEnd(-1, -1), follower.endOffsetForEpoch(2));

      // A divergent suffix on the old leader (epoch 3, offsets 40..) is cut at 40 ...
      leader.appendAsLeader(batch(1000, "lost"), 3);
      leader.truncateTo(end.endOffset());
      assertEquals(40, leader.logEndOffset());
      // ... and it then follows the new leader's log exactly.
      leader.appendAsFollower(asFetched(follower.readForReplica(40, 10_000)));
      assertEquals(42, leader.logEndOffset());
      assertEquals(4, leader.latestEpoch());
      leader.updateHighWatermark(42);
      follower.updateHighWatermark(42);
      assertEquals(values(follower.read(0, 1 << 20, true)), values(leader.read(0, 1 << 20, true)));

      // Truncating into a sealed segment keeps the log appendable.
      leader.truncateTo(5);
      assertEquals(4, leader.logEndOffset(), "truncation stops at the batch boundary");
      while (leader.logEndOffset() < follower.logEndOffset()) {
        leader.appendAsFollower(asFetched(follower.readForReplica(leader.logEndOffset(), 1 << 20)));
      }
      assertEquals(values(follower.read(0, 1 << 20, true)), values(leader.read(0, 1 << 20, true)));
    }
    // Epochs survive a restart.
    try (PartitionLog reopened =
        PartitionLog.open(TP, followerDir, smallSegments(), true, 0, clock, scheduler)) {
      assertEquals(4, reopened.latestEpoch());
      assertEquals(new EpochEnd(3, 40), reopened.endOffsetForEpoch(3));
    }
  }

  @Test
  void followerRefusesBatchesThatOverlapItsLogAndTakesGapsACompactedLeaderLeft() throws Exception {
    Path leaderDir = dir.resolve("leader2");
    try (PartitionLog leader =
            PartitionLog.open(TP, leaderDir, smallSegments(), true, 0, clock, scheduler);
        PartitionLog follower = open(smallSegments(), true, 0)) {
      leader.appendAsLeader(batch(1000, "a", "b"), 0);
      leader.appendAsLeader(batch(1000, "c"), 0);
      leader.appendAsLeader(batch(1000, "d"), 0);
      follower.appendAsFollower(asFetched(leader.readForReplica(0, 1000)));
      follower.truncateTo(2);
      follower.appendAsLeader(batch(1000, "diverged"), 1);
      assertThrows(
          IllegalStateException.class,
          () -> follower.appendAsFollower(asFetched(leader.readForReplica(2, 1000))),
          "a batch that starts below the log end does not continue it");
      assertEquals(3, follower.logEndOffset());

      // Compaction on the leader removed offset 3: the follower takes the batch after the gap.
      follower.truncateTo(2);
      follower.appendAsFollower(asFetched(leader.readForReplica(3, 1000)));
      assertEquals(4, follower.logEndOffset());
      follower.updateHighWatermark(4);
      List<String> read = new ArrayList<>(values(follower.read(0, 1000, true)));
      read.addAll(values(follower.read(3, 1000, true)));
      assertEquals(List.of("0=a", "1=b", "3=d"), read);
    }
  }

  @Test
  void aRolledSegmentIsInItsDirectoryOnDiskBeforeAFlushedAppendIsAcknowledged() throws Exception {
    LogConfig flushEach =
        config("flush.messages", "1", "segment.bytes", "1024", "index.interval.bytes", "128");
    try (PartitionLog log = open(flushEach, false, 0)) {
      List<List<String>> synced = new ArrayList<>();
      log.directorySync(
          directory -> {
            try (var files = Files.list(directory)) {
              synced.add(files.map(f -> f.getFileName().toString()).sorted().toList());
            }
          });
      for (int i = 0; i < 20; i++) {
        append(log, batch(100 + i, "v".repeat(100)), 0);
        List<String> logs;
        try (var files = Files.list(dir)) {
          logs =
              files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".log")).toList();
        }
        for (String segment : logs) {
          assertTrue(
              synced.stream().anyMatch(entries -> entries.contains(segment)),
              "segment " + segment + " was acknowledged into before its directory was fsynced");
        }
      }
      assertTrue(log.segmentCount() > 2, "segments rolled: " + log.segmentCount());
    }
  }

  /**
   * A batch claiming {@code count} records from {@code count} offsets (a compressed batch of empty
   * records can), built by rewriting a one-record batch's header and CRC.
   */
  private static MemoryRecords wideBatch(int count) {
    MemoryRecords records = batch(Instant.parse("2026-01-01T00:00:00Z").toEpochMilli(), "wide");
    java.nio.ByteBuffer buffer = records.buffer();
    buffer.putInt(23, count - 1); // last offset delta
    buffer.putInt(57, count); // records count
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(buffer.duplicate().position(21).limit(buffer.limit()));
    buffer.putInt(17, (int) crc.getValue());
    return records;
  }

  @Test
  void aBatchWhoseOffsetTheActiveSegmentCannotIndexGoesToANewSegment() throws Exception {
    LogConfig indexEvery = config("index.interval.bytes", "0");
    int span = 1 << 30;
    try (PartitionLog log = open(indexEvery, false, 0)) {
      append(log, wideBatch(span), 0);
      append(log, wideBatch(span), 0);
      assertEquals(1, log.segmentCount(), "offsets up to base + 2^31 - 1 fit one segment");
      LogAppendResult third = append(log, wideBatch(span), 0);
      assertEquals(2L * span, third.firstOffset());
      assertEquals(2, log.segmentCount(), "rolled before writing what the index cannot hold");
      assertEquals(3L * span, log.logEndOffset());
      RecordBatch read =
          ((FileSliceRecords) log.read(2L * span + 5, 1000, true).records())
              .asFileRecords()
              .batches()
              .iterator()
              .next();
      assertEquals(2L * span, read.baseOffset());
      append(log, batch(clock.millis(), "after"), 0);
    }
    try (PartitionLog log = open(indexEvery, false, 0)) {
      assertEquals(3L * span + 1, log.logEndOffset(), "recovery keeps every batch");
      assertEquals(List.of(3L * span + "=after"), values(log.read(3L * span, 1000, true)));
    }
  }

  @Test
  void recoveryLogsWhereAndWhyItCutACorruptSegment() throws Exception {
    try (PartitionLog log = open(smallSegments(), false, 0)) {
      for (int i = 0; i < 30; i++) {
        append(log, batch(clock.millis(), "v" + i), 0);
      }
    }
    Path last = dir.resolve(String.format("%020d.log", 0));
    int firstBatchSize;
    try (RandomAccessFile file = new RandomAccessFile(last.toFile(), "rw")) {
      file.seek(8);
      firstBatchSize = 12 + file.readInt();
      file.seek(firstBatchSize + 8);
      file.writeInt(3); // the second batch's length: shorter than any batch header
    }
    java.io.PrintStream stderr = System.err;
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(captured, true, StandardCharsets.UTF_8));
    try (PartitionLog log = open(smallSegments(), false, 0)) {
      assertTrue(log.logEndOffset() < 30, "the corrupt batch and what follows are cut");
    } finally {
      System.setErr(stderr);
    }
    String output = captured.toString(StandardCharsets.UTF_8);
    stderr.print(output);
    String warning =
        output
            .lines()
            .filter(l -> l.contains("recovery truncated"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no recovery warning logged"));
    assertTrue(warning.contains("from position " + firstBatchSize), warning);
    assertTrue(warning.contains("smaller than minimum record overhead"), warning);
  }

  /**
   * Fault harness seed 20261203, fault #19: a follower killed with SIGKILL cut a sealed segment it
   * had written in multi-batch fetches, and its log end landed one past what recovery kept. The
   * files are copied while the log is open, as a SIGKILL leaves them in the page cache.
   */
  @Test
  void aFollowerKilledAfterARollKeepsEveryOffsetOfItsSealedSegment() throws Exception {
    LogConfig followerConfig = config("segment.bytes", "8192", "index.interval.bytes", "128");
    Path leaderDir = dir.resolve("leader-kill");
    Path followerDir = dir.resolve("follower-kill");
    Path crashed = dir.resolve("follower-after-kill");
    long end;
    int sealedIndexBytes;
    try (PartitionLog leader =
            PartitionLog.open(TP, leaderDir, LogConfig.defaults(), true, 0, clock, scheduler);
        PartitionLog follower =
            PartitionLog.open(TP, followerDir, followerConfig, true, 0, clock, scheduler)) {
      for (int i = 0; i < 400; i++) {
        append(leader, batch(clock.millis(), "v" + i), 0);
      }
      // Fetches of ~1 KB: one index entry per fetch while writing, one per ~128 bytes when rebuilt.
      while (follower.logEndOffset() < leader.logEndOffset()) {
        follower.appendAsFollower(asFetched(leader.readForReplica(follower.logEndOffset(), 1000)));
      }
      end = follower.logEndOffset();
      assertEquals(400, end);
      assertTrue(follower.segmentCount() > 1, "the follower rolled");
      Path sealedIndex = followerDir.resolve(String.format("%020d.index", 0));
      sealedIndexBytes = (int) Files.size(sealedIndex);
      Files.createDirectories(crashed);
      try (var files = Files.list(followerDir)) {
        for (Path file : files.toList()) {
          Files.copy(file, crashed.resolve(file.getFileName()));
        }
      }
    }
    try (PartitionLog recovered =
        PartitionLog.open(TP, crashed, followerConfig, false, 0, clock, scheduler)) {
      assertEquals(end, recovered.logEndOffset(), "recovery keeps every whole batch");
      recovered.updateHighWatermark(end);
      List<String> read = new ArrayList<>();
      for (long offset = 0; offset < end; offset++) {
        read.addAll(values(recovered.read(offset, 1, true)));
      }
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < 400; i++) {
        expected.add(i + "=v" + i);
      }
      assertEquals(expected, read.stream().distinct().toList(), "no offset missing");
      assertEquals(end, recovered.appendAsLeader(batch(clock.millis(), "next"), 1).firstOffset());
    }
    assertTrue(
        Files.size(crashed.resolve(String.format("%020d.index", 0))) > sealedIndexBytes,
        "recovery rebuilds the sealed segment's index in full, not within its trimmed size");
  }
}
