package io.flod.broker.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A data directory's incarnation is what the ISR names: it stays while the directory keeps what it
 * held, and changes when committed records were removed from it by hand, so that no ISR entry
 * counts the broker as holding them.
 */
class LogDirectoryIncarnationTest {
  private static final TopicPartition TP = new TopicPartition("orders", 0);
  private static final TopicPartition OTHER = new TopicPartition("orders", 1);
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

  /** A directory with {@code TP} and {@code OTHER} holding committed records, left as a crash. */
  private String crashedWithCommittedRecords() {
    LogManager logs = open();
    for (TopicPartition tp : new TopicPartition[] {TP, OTHER}) {
      PartitionLog log = logs.getOrCreate(tp, PartitionLogTest.config());
      log.appendAsLeader(
          MemoryRecords.withRecords(
              Compression.NONE, new SimpleRecord("v".getBytes(StandardCharsets.UTF_8))),
          1);
      log.updateHighWatermark(1);
      log.flush();
    }
    logs.checkpointRecoveryPoints();
    return logs.incarnation();
  }

  @Test
  void aDirectoryThatKeptWhatItHeldKeepsItsIncarnation() {
    String before = crashedWithCommittedRecords();
    assertEquals(before, open().incarnation());
  }

  @Test
  void aPartitionDirectoryRemovedByHandMakesANewIncarnation() throws IOException {
    String before = crashedWithCommittedRecords();
    deleteRecursively(dir.resolve("orders-0"));
    assertNotEquals(before, open().incarnation());
  }

  @Test
  void aPartitionDirectoryEmptiedOfItsSegmentsMakesANewIncarnation() throws IOException {
    String before = crashedWithCommittedRecords();
    try (Stream<Path> files = Files.list(dir.resolve("orders-1"))) {
      for (Path f : files.toList()) {
        Files.delete(f);
      }
    }
    assertNotEquals(before, open().incarnation());
  }

  @Test
  void aPartitionDeletedByTheBrokerDoesNotCountAsLostEvenAfterACrash() {
    LogManager logs = open();
    PartitionLog log = logs.getOrCreate(TP, PartitionLogTest.config());
    log.appendAsLeader(
        MemoryRecords.withRecords(
            Compression.NONE, new SimpleRecord("v".getBytes(StandardCharsets.UTF_8))),
        1);
    log.updateHighWatermark(1);
    logs.checkpointRecoveryPoints();
    String before = logs.incarnation();
    logs.delete(TP); // then a crash before the next timed checkpoint
    assertEquals(before, open().incarnation());
  }

  private static void deleteRecursively(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
