package io.flod.broker.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk (a small tmpfs this test mounts; skipped where mounting is not permitted) fails the
 * append with a retriable storage error and leaves the log as it was: once space is back, later
 * appends land where they belong and everything acknowledged reads back in order.
 */
class DiskFullTest {
  private static final TopicPartition TP = new TopicPartition("full", 0);
  @TempDir Path scratch;
  private Path disk;
  private boolean mounted;
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

  @BeforeEach
  void mount() throws Exception {
    disk = Files.createDirectories(scratch.resolve("disk"));
    mounted = run("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", disk.toString()) == 0;
    assumeTrue(mounted, "mounting a tmpfs is not permitted here");
  }

  @AfterEach
  void unmount() throws Exception {
    scheduler.shutdownNow();
    scheduler.awaitTermination(5, TimeUnit.SECONDS);
    if (mounted) {
      run("umount", "-l", disk.toString());
    }
  }

  @Test
  void aFailedAppendOnAFullDiskLeavesNoBytesBehind() throws Exception {
    PartitionLog log =
        PartitionLog.open(
            TP,
            disk.resolve("full-0"),
            PartitionLogTest.config("segment.bytes", "8388608"),
            false,
            0,
            Clock.systemUTC(),
            scheduler);
    List<String> acknowledged = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      acknowledged.add(append(log, "before-" + i));
    }
    Path filler = disk.resolve("filler");
    fill(filler);
    KafkaStorageException full =
        assertThrows(KafkaStorageException.class, () -> append(log, "x".repeat(200_000)));
    assertEquals(20, log.logEndOffset());

    Files.delete(filler);
    for (int i = 0; i < 20; i++) {
      acknowledged.add(append(log, "after-" + i));
    }
    log.updateHighWatermark(log.logEndOffset());
    assertEquals(acknowledged, readAll(log), full.getMessage());
    log.close();
  }

  private static String append(PartitionLog log, String value) {
    log.appendAsLeader(
        MemoryRecords.withRecords(
            Compression.NONE, new SimpleRecord(value.getBytes(StandardCharsets.UTF_8))),
        1);
    return value;
  }

  private static List<String> readAll(PartitionLog log) throws Exception {
    List<String> out = new ArrayList<>();
    FileRecords records =
        ((FileSliceRecords) log.read(0, Integer.MAX_VALUE, true).records()).asFileRecords();
    for (RecordBatch batch : records.batches()) {
      batch.ensureValid();
      for (Record record : batch) {
        byte[] bytes = new byte[record.valueSize()];
        record.value().get(bytes);
        out.add(new String(bytes, StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  private static void fill(Path filler) {
    byte[] chunk = new byte[4096];
    try (OutputStream out = Files.newOutputStream(filler)) {
      while (true) {
        out.write(chunk);
      }
    } catch (IOException full) {
      // ENOSPC: what fits is written
    }
  }

  private static int run(String... command) throws Exception {
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start()
        .waitFor();
  }
}
