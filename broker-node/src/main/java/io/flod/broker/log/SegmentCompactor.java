package io.flod.broker.log;

import io.flod.broker.storage.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.internals.BufferSupplier;

/**
 * Compaction ({@code cleanup.policy=compact}) of a log's sealed segments: of all the records with
 * one key, only the newest survives. Records keep their offsets; batches left empty disappear;
 * records without a key stay. The active segment is never touched.
 *
 * <p>A pass: {@link #mapNewestOffsets} reads the dirty part of the log (from where the last pass
 * ended) into a {@link KeyOffsetMap} until the map is full; then every sealed segment below that
 * point is rewritten, dropping each record whose key has a newer offset in the map, into groups of
 * consecutive segments: a group takes the next segment while its output so far plus that segment's
 * size stays within {@code segment.bytes}, so an output segment stays a valid segment however large
 * the log is, and segments that compaction emptied merge at once. Records past the mapped part stay
 * as they are for a later pass.
 *
 * <p>Tombstones (a key with a null value) are kept for {@code delete.retention.ms}, so that a
 * replica or consumer that was away when a key was deleted still reads the deletion: the first pass
 * that keeps a tombstone stamps its batch with a delete horizon (now + delete.retention.ms, Kafka's
 * KIP-534 field in the batch header, which followers copy with the batch), and a pass after the
 * horizon drops it; every older record of its key went in the pass that first mapped it.
 *
 * <p>File protocol, for crash safety: a group's result is written to {@code <base>.log.cleaned} and
 * fsynced; renaming it to {@code <base>.log.<end>.swap} is the point of no return (the name says it
 * replaces the segments with base offsets in [base, end)); the old segments then become {@code
 * *.deleted} and the swap file becomes {@code <base>.log}. A start-up that finds a swap file
 * finishes the swap ({@link #completeInterruptedSwaps}); a {@code .cleaned} file is an unfinished
 * pass and is discarded.
 */
final class SegmentCompactor {
  static final String CLEANED_SUFFIX = ".cleaned";
  static final String SWAP_SUFFIX = ".swap";

  private SegmentCompactor() {}

  /** The name of the swap file that replaces the segments with base offsets in [base, end). */
  static Path swapFile(Path dir, long base, long end) {
    return dir.resolve(
        String.format("%020d%s.%020d%s", base, LogSegment.LOG_SUFFIX, end, SWAP_SUFFIX));
  }

  /**
   * Puts key → offset of its newest record into {@code map} for every keyed record of {@code
   * segments} in [{@code from}, {@code to}), stopping early when the map is full. Returns the
   * offset the map covers up to (exclusive).
   */
  static long mapNewestOffsets(List<LogSegment> segments, long from, long to, KeyOffsetMap map) {
    for (LogSegment segment : segments) {
      for (FileChannelRecordBatch batch :
          segment.batchesFrom(Math.max(from, segment.baseOffset()))) {
        if (batch.lastOffset() < from) {
          continue;
        }
        if (batch.baseOffset() >= to) {
          return to;
        }
        for (Record record : batch) {
          if (record.offset() < from || !record.hasKey()) {
            continue;
          }
          if (map.isFull()) {
            return record.offset();
          }
          map.put(record.key(), record.offset());
        }
      }
    }
    return to;
  }

  /**
   * Decides which records of a pass survive: a record is dropped when the map knows a newer offset
   * for its key, or when it is a tombstone whose delete horizon has passed. Remembers the earliest
   * horizon of the tombstones it keeps, when the next pass is due for them.
   */
  static final class CleaningFilter extends MemoryRecords.RecordFilter {
    private final KeyOffsetMap map;
    private final long mappedEnd;
    private long earliestHorizon = Long.MAX_VALUE;

    CleaningFilter(KeyOffsetMap map, long mappedEnd, long nowMs, long deleteRetentionMs) {
      super(nowMs, deleteRetentionMs);
      this.map = map;
      this.mappedEnd = mappedEnd;
    }

    long earliestHorizon() {
      return earliestHorizon;
    }

    @Override
    protected BatchRetentionResult checkBatchRetention(RecordBatch batch) {
      return new BatchRetentionResult(BatchRetention.DELETE_EMPTY, false);
    }

    @Override
    protected boolean shouldRetainRecord(RecordBatch batch, Record record) {
      if (!record.hasKey()) {
        return true;
      }
      // Past what this pass mapped, a record is kept whatever it is: its key's newer records and,
      // for a tombstone, the older ones it deletes are not known yet.
      boolean mapped = record.offset() < mappedEnd;
      if (mapped && map.get(record.key()) > record.offset()) {
        return false; // superseded
      }
      if (record.hasValue()) {
        return true;
      }
      long horizon =
          batch.deleteHorizonMs().isPresent()
              ? batch.deleteHorizonMs().getAsLong()
              : currentTime + deleteRetentionMs; // this pass stamps it into the batch
      if (mapped && currentTime >= horizon) {
        return false; // its key's older records went in the pass that mapped it
      }
      earliestHorizon = Math.min(earliestHorizon, horizon);
      return true;
    }
  }

  /**
   * The output of one group of a pass, {@code <first base>.log.cleaned}: the records {@code filter}
   * keeps of consecutive segments, appended one segment at a time, so that a group can take
   * segments until its output (not its input) would pass {@code segment.bytes}.
   */
  static final class CleanedFile implements java.io.Closeable {
    private final Path path;
    private final FileChannel out;
    private final List<LogSegment> replaces = new java.util.ArrayList<>();
    private long bytes;

    CleanedFile(Path dir, long baseOffset) throws IOException {
      this.path = LogSegment.file(dir, baseOffset, LogSegment.LOG_SUFFIX + CLEANED_SUFFIX);
      this.out =
          FileChannel.open(
              path,
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              StandardOpenOption.TRUNCATE_EXISTING);
    }

    Path path() {
      return path;
    }

    /** The segments this file replaces, oldest first. */
    List<LogSegment> replaces() {
      return replaces;
    }

    long bytes() {
      return bytes;
    }

    /**
     * Appends what {@code filter} keeps of {@code segment}; adds bytes read and written to sizes.
     */
    void append(LogSegment segment, CleaningFilter filter, long[] sizes) throws IOException {
      replaces.add(segment);
      for (FileChannelRecordBatch batch : segment.batchesFrom(segment.baseOffset())) {
        ByteBuffer in = ByteBuffer.allocate(batch.sizeInBytes());
        batch.writeTo(in);
        in.flip();
        sizes[0] += in.remaining();
        // A rewritten batch may grow by a few bytes (varint timestamp deltas after stamping).
        ByteBuffer output = ByteBuffer.allocate(in.remaining() + 64);
        MemoryRecords.FilterResult result =
            MemoryRecords.readableRecords(in)
                .filterTo(filter, output, BufferSupplier.NO_CACHING, Integer.MAX_VALUE);
        ByteBuffer kept = result.outputBuffer();
        kept.flip();
        sizes[1] += kept.remaining();
        bytes += kept.remaining();
        while (kept.hasRemaining()) {
          out.write(kept);
        }
      }
    }

    /** Makes the file durable: it may now become a swap file. */
    void finish() throws IOException {
      out.force(true);
      out.close();
    }

    @Override
    public void close() throws IOException {
      out.close();
    }
  }

  /**
   * Writes the records of {@code group} that {@code filter} keeps to {@code <first
   * base>.log.cleaned}, fsynced, and returns its path. Adds the bytes read and written to {@code
   * sizes}.
   */
  static Path writeCleaned(Path dir, List<LogSegment> group, CleaningFilter filter, long[] sizes)
      throws IOException {
    try (CleanedFile cleaned = new CleanedFile(dir, group.get(0).baseOffset())) {
      for (LogSegment segment : group) {
        cleaned.append(segment, filter, sizes);
      }
      cleaned.finish();
      return cleaned.path();
    }
  }

  /**
   * Finishes swaps a crash interrupted: for each {@code <base>.log.<end>.swap}, removes the old
   * segments it replaces (base offsets in [base, end)) and renames it into place. Discards
   * unfinished {@code .cleaned} files. Returns the base offsets whose indexes must be rebuilt.
   */
  static List<Long> completeInterruptedSwaps(Path dir) throws IOException {
    List<Long> swapped = new java.util.ArrayList<>();
    try (var files = Files.list(dir)) {
      for (Path file : files.sorted().toList()) {
        String name = file.getFileName().toString();
        if (name.endsWith(CLEANED_SUFFIX)) {
          Files.deleteIfExists(file);
        } else if (name.endsWith(SWAP_SUFFIX)) {
          String[] parts = name.split("\\.");
          long base = Long.parseLong(parts[0]);
          long end = parts.length == 4 ? Long.parseLong(parts[2]) : endOffset(file, base);
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
}
