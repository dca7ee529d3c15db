package io.flod.broker.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
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

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
  }

  private PartitionLog open(boolean clean) {
    return PartitionLog.open(TP, dir, COMPACTED, clean, 0, Clock.systemUTC(), scheduler);
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

  @Test
  void onlyTheNewestRecordOfEachKeySurvivesInSealedSegments() {
    try (PartitionLog log = open(false)) {
      Map<Long, String> before = fill(log);
      int segmentsBefore = log.segmentCount();
      assertTrue(segmentsBefore > 5, "small segments rolled: " + segmentsBefore);
      assertTrue(log.compact() > 0, "bytes reclaimed");
      assertEquals(2, log.segmentCount(), "the sealed segments became one; the active one stays");
      assertEquals(0, log.compact(), "nothing new sealed: nothing to do");

      Map<Long, String> after = contents(log);
      Map<String, Long> newestOffset = new LinkedHashMap<>();
      before.forEach((offset, kv) -> newestOffset.put(kv.substring(0, kv.indexOf('=')), offset));
      for (Map.Entry<Long, String> e : before.entrySet()) {
        String key = e.getValue().substring(0, e.getValue().indexOf('='));
        boolean newest = newestOffset.get(key).equals(e.getKey());
        if (newest && !e.getValue().endsWith("=null")) {
          assertEquals(
              e.getValue(),
              after.get(e.getKey()),
              "the newest record of " + key + " stays, at its offset");
        }
      }
      assertTrue(
          after.size() < 30, "superseded records are gone: " + after.size() + " left of 200");
      assertEquals(200, log.logEndOffset(), "offsets do not change");
      append(log, "k9", "after");
      assertEquals("k9=after", contents(log).get(200L));
    }
  }

  @Test
  void aSwapInterruptedAfterItsPointOfNoReturnIsFinishedAtStartUp() throws Exception {
    try (PartitionLog log = open(false)) {
      fill(log);
      List<LogSegment> sealed = log.sealedSegments();
      Path cleaned =
          SegmentCompactor.writeCleaned(
              dir, sealed, SegmentCompactor.newestOffsets(log), new long[2]);
      Files.move(
          cleaned,
          cleaned.resolveSibling(cleaned.getFileName().toString().replace(".cleaned", ".swap")));
      // Crash here: the old segments are still in place next to the swap file.
    }
    try (PartitionLog log = open(false)) {
      Map<Long, String> after = contents(log);
      assertTrue(after.size() < 30, "the swap was finished: " + after.size() + " records");
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
      SegmentCompactor.writeCleaned(
          dir, log.sealedSegments(), SegmentCompactor.newestOffsets(log), new long[2]);
    }
    try (PartitionLog log = open(false)) {
      assertEquals(before, contents(log));
      try (Stream<Path> files = Files.list(dir)) {
        assertFalse(files.anyMatch(f -> f.toString().endsWith(".cleaned")));
      }
    }
  }
}
