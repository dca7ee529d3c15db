package io.flod.broker.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flod.broker.support.ManualClock;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogCompactionTest {
  private static final TopicPartition TP = new TopicPartition("compacted", 0);
  private static final LogConfig COMPACTED =
      PartitionLogTest.config(
          "segment.bytes", "1024", "index.interval.bytes", "128", "cleanup.policy", "compact");
  @TempDir Path dir;
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final ManualClock clock = new ManualClock();

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
  }

  private PartitionLog open(boolean clean) {
    return open(COMPACTED, clean);
  }

  private PartitionLog open(LogConfig config, boolean clean) {
    return PartitionLog.open(TP, dir, config, clean, 0, clock, scheduler);
  }

  private static void append(PartitionLog log, String key, String value) {
    byte[] v = value == null ? null : value.getBytes(StandardCharsets.UTF_8);
    log.appendAsLeader(
        MemoryRecords.withRecords(
            Compression.NONE, new SimpleRecord(1L, key.getBytes(StandardCharsets.UTF_8), v)),
        0);
    log.updateHighWatermark(log.logEndOffset());
  }

  /** offset → "key=value" (value "null" for a tombstone), oldest first. */
  private static Map<Long, String> contents(PartitionLog log) {
    Map<Long, String> out = new LinkedHashMap<>();
    log.forEachBatch(
        log.logStartOffset(),
        batch -> {
          for (Record r : batch) {
            out.put(r.offset(), text(r.key()) + "=" + (r.hasValue() ? text(r.value()) : "null"));
          }
        });
    return out;
  }

  private static String text(ByteBuffer b) {
    byte[] bytes = new byte[b.remaining()];
    b.duplicate().get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** 200 records over keys k0..k4; k4 ends with a tombstone; returns what a reader should see. */
  private static Map<Long, String> fill(PartitionLog log) {
    for (int i = 0; i < 200; i++) {
      String key = "k" + (i % 5);
      append(log, key, key.equals("k4") && i == 199 ? null : "value-" + i);
    }
    return contents(log);
  }

  /** The newest record of each key in {@code log}, in offset order. */
  private static Map<Long, String> newestOfEachKey(Map<Long, String> log) {
    Map<String, Long> newestOffset = new LinkedHashMap<>();
    log.forEach((offset, kv) -> newestOffset.put(kv.substring(0, kv.indexOf('=')), offset));
    Map<Long, String> newest = new java.util.TreeMap<>();
    newestOffset.values().forEach(offset -> newest.put(offset, log.get(offset)));
    return newest;
  }

  /** Runs passes until the cleaned part stops growing; returns how many passes moved it. */
  private static int compactFully(PartitionLog log, KeyOffsetMap map) {
    int passes = 0;
    long cleaned = log.cleanedUpTo();
    while (true) {
      log.compact(map);
      if (log.cleanedUpTo() == cleaned) {
        return passes;
      }
      cleaned = log.cleanedUpTo();
      passes++;
    }
  }

  private void assertSegmentsWithin(int segmentBytes) throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      for (Path segment : files.filter(f -> f.toString().endsWith(".log")).toList()) {
        assertTrue(
            Files.size(segment) <= segmentBytes,
            segment.getFileName() + " holds " + Files.size(segment) + " bytes");
      }
    }
  }

  @Test
  void onlyTheNewestRecordOfEachKeySurvivesAndATombstoneStaysForDeleteRetentionMs()
      throws Exception {
    try (PartitionLog log = open(false)) {
      Map<Long, String> before = fill(log);
      int segmentsBefore = log.segmentCount();
      assertTrue(segmentsBefore > 5, "small segments rolled: " + segmentsBefore);
      assertTrue(log.compact() > 0, "bytes reclaimed");
      compactFully(log, new KeyOffsetMap(1 << 16));
      assertSegmentsWithin(1024);
      assertEquals(0, log.compact(), "nothing new sealed: nothing to do");

      Map<Long, String> after = contents(log);
      Map<Long, String> sealedNewest = new java.util.TreeMap<>(newestOfEachKey(before));
      for (Map.Entry<Long, String> e : sealedNewest.entrySet()) {
        assertEquals(e.getValue(), after.get(e.getKey()), "the newest record stays at its offset");
      }
      assertEquals("k4=null", after.get(199L), "the tombstone is kept for delete.retention.ms");
      assertTrue(
          after.size() < 30, "superseded records are gone: " + after.size() + " left of 200");
      assertEquals(200, log.logEndOffset(), "offsets do not change");
      append(log, "k9", "after");
      assertEquals("k9=after", contents(log).get(200L));
    }
  }

  @Test
  void aTombstoneGoesInThePassAfterItsDeleteHorizonAndOlderValuesOfItsKeyGoAtOnce() {
    LogConfig retainAMinute =
        PartitionLogTest.config(
            "segment.bytes", "1024", "cleanup.policy", "compact", "delete.retention.ms", "60000");
    try (PartitionLog log = open(retainAMinute, false)) {
      append(log, "gone", "v1");
      append(log, "gone", null);
      for (int i = 0; i < 60; i++) {
        append(log, "other-" + i, "x".repeat(50));
      }
      assertTrue(log.compact() > 0);
      assertFalse(
          contents(log).containsValue("gone=v1"), "the deleted value goes in the first pass");
      assertTrue(contents(log).containsValue("gone=null"), "its tombstone stays");

      clock.advance(30_000);
      log.compact();
      assertTrue(contents(log).containsValue("gone=null"), "still within delete.retention.ms");

      clock.advance(31_000);
      assertTrue(log.compact() > 0, "a pass is due for the expired tombstone with nothing new");
      assertFalse(contents(log).containsValue("gone=null"), "the tombstone is gone");
      assertEquals(0, log.compact(), "and nothing is left to do");
    }
  }

  @Test
  void aKeyMapSmallerThanTheKeysCleansTheLogInSeveralPasses() throws Exception {
    Map<Long, String> before;
    try (PartitionLog log = open(false)) {
      for (int round = 0; round < 3; round++) {
        for (int k = 0; k < 100; k++) {
          append(log, "key-" + k, "round-" + round);
        }
      }
      append(log, "last", "in the active segment");
      before = contents(log);
      KeyOffsetMap small = new KeyOffsetMap(24 * 40);
      assertTrue(small.capacity() < 100, "fewer slots than keys: " + small.capacity());
      int passes = compactFully(log, small);
      assertTrue(passes > 3, "several passes: " + passes);
      assertSegmentsWithin(1024);

      Map<Long, String> after = contents(log);
      Map<Long, String> expected = newestOfEachKey(before);
      assertEquals(expected, after, "exactly the newest record of each key is left");
    }
    try (PartitionLog log = open(true)) {
      assertEquals(newestOfEachKey(before), contents(log), "and reads back after a restart");
    }
  }

  @Test
  void aSwapInterruptedAfterItsPointOfNoReturnIsFinishedAtStartUp() throws Exception {
    Map<Long, String> before;
    try (PartitionLog log = open(false)) {
      before = fill(log);
      List<LogSegment> sealed = log.sealedSegments();
      KeyOffsetMap map = new KeyOffsetMap(1 << 16);
      long end = sealed.get(sealed.size() - 1).nextOffset();
      long mapped = SegmentCompactor.mapNewestOffsets(sealed, 0, end, map);
      // The whole sealed part as one group: its base, and the active segment's base as its end.
      List<LogSegment> group = sealed.subList(0, 3);
      long groupEnd = sealed.get(3).baseOffset();
      Path cleaned =
          SegmentCompactor.writeCleaned(
              dir,
              group,
              new SegmentCompactor.CleaningFilter(map, mapped, clock.millis(), 60_000),
              new long[2]);
      Files.move(cleaned, SegmentCompactor.swapFile(dir, group.get(0).baseOffset(), groupEnd));
      // Crash here: the old segments are still in place next to the swap file.
    }
    try (PartitionLog log = open(false)) {
      Map<Long, String> after = contents(log);
      assertTrue(after.size() < before.size(), "the swap was finished: " + after.size());
      for (long offset = before.size() - 20; offset < before.size(); offset++) {
        assertEquals(before.get(offset), after.get(offset), "later segments are untouched");
      }
      assertEquals(200, log.logEndOffset());
      try (Stream<Path> files = Files.list(dir)) {
        assertFalse(files.anyMatch(f -> f.toString().endsWith(".swap")));
      }
    }
  }

  @Test
  void anUnfinishedPassIsDiscardedAndLosesNothing() throws Exception {
    Map<Long, String> before;
    try (PartitionLog log = open(false)) {
      before = fill(log);
      List<LogSegment> sealed = log.sealedSegments();
      KeyOffsetMap map = new KeyOffsetMap(1 << 16);
      long mapped = SegmentCompactor.mapNewestOffsets(sealed, 0, Long.MAX_VALUE, map);
      SegmentCompactor.writeCleaned(
          dir,
          sealed,
          new SegmentCompactor.CleaningFilter(map, mapped, clock.millis(), 60_000),
          new long[2]);
    }
    try (PartitionLog log = open(false)) {
      assertEquals(before, contents(log));
      try (Stream<Path> files = Files.list(dir)) {
        assertFalse(files.anyMatch(f -> f.toString().endsWith(".cleaned")));
      }
    }
  }
}
