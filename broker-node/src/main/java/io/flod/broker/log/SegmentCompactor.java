package io.flod.broker.log;

import io.flod.broker.storage.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.internals.BufferSupplier;

/**
 * Compaction ({@code cleanup.policy=compact}) of a log's sealed segments: of all the records with
 * one key, only the newest in the whole log survives; a tombstone (null value) that is the newest
 * record of its key goes too, because after the pass nothing older for that key is left for it to
 * delete. Records keep their offsets; batches left empty disappear; records without a key stay. The
 * active segment is never touched.
 *
 * <p>File protocol, for crash safety: the result is written to {@code <base>.cleaned} and fsynced;
 * renaming it to {@code <base>.swap} is the point of no return; the old segments then become {@code
 * *.deleted} and the swap file becomes {@code <base>.log}. A start-up that finds a {@code .swap}
 * file finishes the swap ({@link #completeInterruptedSwaps}); a {@code .cleaned} file is an
 * unfinished pass and is discarded.
 */
final class SegmentCompactor {
  static final String CLEANED_SUFFIX = ".cleaned";
  static final String SWAP_SUFFIX = ".swap";

  private SegmentCompactor() {}

  /** Key → offset of its newest record, over every batch of the log below the high watermark. */
  static Map<ByteBuffer, Long> newestOffsets(PartitionLog log) {
    Map<ByteBuffer, Long> newest = new HashMap<>();
    log.forEachBatch(
        log.logStartOffset(),
        batch -> {
          for (Record record : batch) {
            if (record.hasKey()) {
              newest.put(copy(record.key()), record.offset());
            }
          }
        });
    return newest;
  }

  /**
   * Writes the compacted content of {@code sealed} to {@code <first base>.cleaned}, fsynced, and
   * returns its path. Returns the bytes read and written through {@code sizes}.
   */
  static Path writeCleaned(
      Path dir, List<LogSegment> sealed, Map<ByteBuffer, Long> newest, long[] sizes)
      throws IOException {
    Path cleaned =
        LogSegment.file(dir, sealed.get(0).baseOffset(), LogSegment.LOG_SUFFIX + CLEANED_SUFFIX);
    MemoryRecords.RecordFilter keepNewest =
        new MemoryRecords.RecordFilter(0, 0) {
          @Override
          protected BatchRetentionResult checkBatchRetention(RecordBatch batch) {
            return new BatchRetentionResult(BatchRetention.DELETE_EMPTY, false);
          }

          @Override
          protected boolean shouldRetainRecord(RecordBatch batch, Record record) {
            if (!record.hasKey()) {
              return true;
            }
            Long newestOffset = newest.get(record.key());
            return newestOffset != null && newestOffset == record.offset() && record.hasValue();
          }
        };
    try (FileChannel out =
        FileChannel.open(
            cleaned,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      for (LogSegment segment : sealed) {
        for (FileChannelRecordBatch batch : segment.batchesFrom(segment.baseOffset())) {
          ByteBuffer in = ByteBuffer.allocate(batch.sizeInBytes());
          batch.writeTo(in);
          in.flip();
          sizes[0] += in.remaining();
          ByteBuffer output = ByteBuffer.allocate(in.remaining());
          MemoryRecords.FilterResult result =
              MemoryRecords.readableRecords(in)
                  .filterTo(keepNewest, output, BufferSupplier.NO_CACHING, Integer.MAX_VALUE);
          ByteBuffer kept = result.outputBuffer();
          kept.flip();
          sizes[1] += kept.remaining();
          while (kept.hasRemaining()) {
            out.write(kept);
          }
        }
      }
      out.force(true);
    }
    return cleaned;
  }

  /**
   * Finishes swaps a crash interrupted: for each {@code <base>.swap}, removes the old segments it
   * replaces (those from {@code base} up to the swap's last offset) and renames it into place.
   * Discards unfinished {@code .cleaned} files. Returns the base offsets whose indexes must be
   * rebuilt.
   */
  static List<Long> completeInterruptedSwaps(Path dir) throws IOException {
    List<Long> swapped = new java.util.ArrayList<>();
    try (var files = Files.list(dir)) {
      for (Path file : files.toList()) {
        String name = file.getFileName().toString();
        if (name.endsWith(CLEANED_SUFFIX)) {
          Files.deleteIfExists(file);
        } else if (name.endsWith(SWAP_SUFFIX)) {
          long base = Long.parseLong(name.substring(0, name.indexOf('.')));
          long end = endOffset(file, base);
          try (var others = Files.list(dir)) {
            for (Path other : others.toList()) {
              String otherName = other.getFileName().toString();
              if (otherName.endsWith(LogSegment.LOG_SUFFIX)
                  || otherName.endsWith(LogSegment.INDEX_SUFFIX)
                  || otherName.endsWith(LogSegment.TIME_INDEX_SUFFIX)) {
                long otherBase = Long.parseLong(otherName.substring(0, otherName.indexOf('.')));
                if (otherBase >= base && otherBase < end) {
                  Files.delete(other);
                }
              }
            }
          }
          Files.move(file, LogSegment.file(dir, base, LogSegment.LOG_SUFFIX));
          AtomicFiles.fsyncDirectory(dir);
          swapped.add(base);
        }
      }
    }
    return swapped;
  }

  private static long endOffset(Path file, long base) throws IOException {
    long end = base;
    try (var records =
        org.apache.kafka.common.record.internal.FileRecords.open(file.toFile(), false)) {
      for (FileChannelRecordBatch batch : records.batches()) {
        end = batch.nextOffset();
      }
    }
    return end;
  }

  private static ByteBuffer copy(ByteBuffer key) {
    ByteBuffer copy = ByteBuffer.allocate(key.remaining());
    copy.put(key.duplicate());
    copy.flip();
    return copy;
  }
}
