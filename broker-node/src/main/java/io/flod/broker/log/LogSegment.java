package io.flod.broker.log;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * One segment of a partition log: {@code <base offset>.log} holding record batches exactly as
 * produced (offsets and leader epoch stamped into their headers), with a sparse {@link OffsetIndex}
 * ({@code .index}) and {@link TimeIndex} ({@code .timeindex}). The base offset, zero-padded to 20
 * digits, names all three files.
 *
 * <p>Thread-safety: appends, truncation and recovery run under the owning log's lock; reads run
 * concurrently and never look past a position the log has published.
 */
final class LogSegment implements Closeable {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(LogSegment.class);
  static final String LOG_SUFFIX = ".log";
  static final String INDEX_SUFFIX = ".index";
  static final String TIME_INDEX_SUFFIX = ".timeindex";
  static final String DELETED_SUFFIX = ".deleted";
  // The cap kafka-clients itself applies to one decompressed record when it reads a batch.
  private static final int MAX_DECOMPRESSED_RECORD_BYTES = Integer.MAX_VALUE - 8;

  private final Path dir;
  private final long baseOffset;
  private final FileRecords records;
  private final OffsetIndex offsetIndex;
  private final TimeIndex timeIndex;
  private final int indexIntervalBytes;
  private final long createdMs;
  private int bytesSinceLastIndexEntry;
  private volatile long maxTimestamp = RecordBatch.NO_TIMESTAMP;
  private volatile long offsetOfMaxTimestamp = -1;
  private volatile long firstBatchTimestamp = RecordBatch.NO_TIMESTAMP;
  private volatile long nextOffset;
  private volatile boolean markedDeleted;

  private LogSegment(Path dir, long baseOffset, LogConfig config, boolean sealed, long nowMs) {
    this.dir = dir;
    this.baseOffset = baseOffset;
    this.indexIntervalBytes = config.indexIntervalBytes();
    this.createdMs = nowMs;
    this.nextOffset = baseOffset;
    try {
      this.records = FileRecords.open(file(dir, baseOffset, LOG_SUFFIX).toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open segment " + baseOffset + " in " + dir, e);
    }
    this.offsetIndex =
        new OffsetIndex(
            file(dir, baseOffset, INDEX_SUFFIX), baseOffset, config.segmentIndexBytes(), sealed);
    this.timeIndex =
        new TimeIndex(
            file(dir, baseOffset, TIME_INDEX_SUFFIX),
            baseOffset,
            config.segmentIndexBytes(),
            sealed);
  }

  static Path file(Path dir, long baseOffset, String suffix) {
    return dir.resolve(String.format("%020d%s", baseOffset, suffix));
  }

  static LogSegment create(Path dir, long baseOffset, LogConfig config, long nowMs) {
    return new LogSegment(dir, baseOffset, config, false, nowMs);
  }

  /**
   * Opens a segment written before, trusting its indexes (the log shut down cleanly or this segment
   * is below the recovery point). Only the tail after the last index entry is read.
   */
  static LogSegment open(Path dir, long baseOffset, LogConfig config, boolean sealed, long nowMs) {
    LogSegment segment = new LogSegment(dir, baseOffset, config, sealed, nowMs);
    segment.loadTail();
    return segment;
  }

  /** Opens a segment whose indexes cannot be trusted: rebuilds them from the log, then seals it. */
  static LogSegment rebuild(Path dir, long baseOffset, LogConfig config, long nowMs) {
    try {
      Files.deleteIfExists(file(dir, baseOffset, INDEX_SUFFIX));
      Files.deleteIfExists(file(dir, baseOffset, TIME_INDEX_SUFFIX));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot reset indexes of segment " + baseOffset, e);
    }
    LogSegment segment = new LogSegment(dir, baseOffset, config, false, nowMs);
    segment.recover();
    segment.seal();
    return segment;
  }

  private void loadTail() {
    maxTimestamp = timeIndex.lastTimestamp();
    offsetOfMaxTimestamp = timeIndex.lastOffset();
    int from = offsetIndex.entries() == 0 ? 0 : offsetIndex.positionAtOrBefore(Long.MAX_VALUE);
    boolean first = from == 0;
    for (FileChannelRecordBatch batch : records.batchesFrom(from)) {
      observe(batch, first);
      first = false;
    }
  }

  private void observe(RecordBatch batch, boolean first) {
    if (first) {
      firstBatchTimestamp = batch.maxTimestamp();
    }
    if (batch.maxTimestamp() > maxTimestamp) {
      maxTimestamp = batch.maxTimestamp();
      offsetOfMaxTimestamp = batch.lastOffset();
    }
    nextOffset = batch.nextOffset();
  }

  long baseOffset() {
    return baseOffset;
  }

  int size() {
    return records.sizeInBytes();
  }

  long nextOffset() {
    return nextOffset;
  }

  long maxTimestamp() {
    return maxTimestamp;
  }

  long offsetOfMaxTimestamp() {
    return offsetOfMaxTimestamp;
  }

  boolean indexFull() {
    return offsetIndex.isFull() || timeIndex.isFull();
  }

  /**
   * Whether a batch ending at {@code lastOffset} can go into this segment: its indexes hold offsets
   * relative to the base offset as ints.
   */
  boolean canHoldOffset(long lastOffset) {
    return lastOffset - baseOffset <= Integer.MAX_VALUE;
  }

  /** When this segment is due to roll by age: its first batch's timestamp, else its creation. */
  long rollingTimestamp() {
    long first = firstBatchTimestamp;
    return first == RecordBatch.NO_TIMESTAMP ? createdMs : first;
  }

  /** When retention by time considers this segment: its newest timestamp, else file mtime. */
  long retentionTimestamp() {
    if (maxTimestamp != RecordBatch.NO_TIMESTAMP) {
      return maxTimestamp;
    }
    try {
      return Files.getLastModifiedTime(records.file().toPath()).toMillis();
    } catch (IOException e) {
      return createdMs;
    }
  }

  /**
   * Appends batches whose offsets are already assigned. {@code batchMaxTimestamp} and {@code
   * offsetOfBatchMaxTimestamp} summarise the appended batches.
   */
  void append(
      MemoryRecords batches,
      long firstBatchMaxTimestamp,
      long lastOffset,
      long batchMaxTimestamp,
      long offsetOfBatchMaxTimestamp) {
    if (!canHoldOffset(lastOffset)) {
      // Checked before writing: a batch in the file that its index cannot hold would be half
      // stored.
      throw new IllegalArgumentException(
          "offset " + lastOffset + " does not fit segment " + baseOffset + " of " + dir);
    }
    int position = records.sizeInBytes();
    try {
      records.append(batches);
    } catch (IOException e) {
      undoPartialAppend(position);
      throw new org.apache.kafka.common.errors.KafkaStorageException(
          "append failed in " + dir + " (segment " + baseOffset + "): " + e.getMessage(), e);
    }
    if (position == 0) {
      firstBatchTimestamp = firstBatchMaxTimestamp;
    }
    if (batchMaxTimestamp > maxTimestamp) {
      maxTimestamp = batchMaxTimestamp;
      offsetOfMaxTimestamp = offsetOfBatchMaxTimestamp;
    }
    bytesSinceLastIndexEntry += batches.sizeInBytes();
    if (bytesSinceLastIndexEntry > indexIntervalBytes) {
      offsetIndex.append(lastOffset, position);
      timeIndex.maybeAppend(maxTimestamp, offsetOfMaxTimestamp);
      bytesSinceLastIndexEntry = 0;
    }
    nextOffset = lastOffset + 1;
  }

  /**
   * The bytes from the batch holding {@code offset} up to {@code maxPosition}, at most {@code
   * maxBytes} of them (or the whole first batch when {@code minOneBatch}). Null when no batch of
   * this segment holds {@code offset} or a later one.
   */
  FileSliceRecords read(long offset, int maxBytes, int maxPosition, boolean minOneBatch) {
    FileRecords.LogOffsetPosition start =
        records.searchForOffsetFromPosition(offset, offsetIndex.positionAtOrBefore(offset));
    if (start == null || start.position >= maxPosition) {
      return null;
    }
    int available = maxPosition - start.position;
    int size = Math.min(available, maxBytes);
    if (size < start.size && start.size <= available) {
      // The first batch does not fit: send it whole if allowed (KIP-74), else nothing rather than
      // a fragment the client would discard, as Kafka does.
      size = minOneBatch ? start.size : 0;
    }
    return new FileSliceRecords(records, start.position, Math.max(size, 0));
  }

  /**
   * The offset after the last batch that lies wholly in [{@code start}, {@code end}): how far a
   * reader of that byte range gets. Walks forward from the last indexed batch start in the range,
   * so it reads at most a few batch headers however large the range is.
   */
  long nextOffsetAfterWholeBatches(int start, int end, long fallback) {
    int from = Math.max(start, offsetIndex.batchStartAtOrBefore(end));
    long next = fallback;
    for (FileChannelRecordBatch batch : records.batchesFrom(from)) {
      if (batch.position() + batch.sizeInBytes() > end) {
        // The index may lead straight to the batch the limit cut: the whole batches before it
        // end where it starts.
        if (batch.position() > start) {
          next = batch.baseOffset();
        }
        break;
      }
      next = batch.nextOffset();
    }
    return next;
  }

  /** The position where the batch holding {@code offset} starts, or the file size if none. */
  int positionOf(long offset) {
    FileRecords.LogOffsetPosition found =
        records.searchForOffsetFromPosition(offset, offsetIndex.positionAtOrBefore(offset));
    return found == null ? records.sizeInBytes() : found.position;
  }

  /** The first record with a timestamp >= {@code timestamp}, or null. */
  FileRecords.TimestampAndOffset findOffsetByTimestamp(long timestamp) {
    long startOffset = timeIndex.scanStartOffset(timestamp);
    int position = offsetIndex.positionAtOrBefore(startOffset);
    return records.searchForTimestamp(
        timestamp, position, startOffset, MAX_DECOMPRESSED_RECORD_BYTES);
  }

  Iterable<FileChannelRecordBatch> batchesFrom(long offset) {
    return records.batchesFrom(positionOf(offset));
  }

  /**
   * What recovery found in a segment: the bytes of its valid prefix, the bytes cut after it, and
   * why the valid prefix ends there (null when the whole file is valid).
   */
  record Recovery(int validBytes, int truncatedBytes, String reason) {}

  /**
   * Validates every batch by CRC and offset order, rebuilding both indexes, and truncates the file
   * after the last valid batch (a torn or corrupt tail). Returns where and why it cut.
   */
  Recovery recover() {
    offsetIndex.reset();
    timeIndex.reset();
    maxTimestamp = RecordBatch.NO_TIMESTAMP;
    offsetOfMaxTimestamp = -1;
    nextOffset = baseOffset;
    bytesSinceLastIndexEntry = 0;
    int validBytes = 0;
    String reason = null;
    java.util.Iterator<FileChannelRecordBatch> batches = records.batches().iterator();
    while (true) {
      FileChannelRecordBatch batch;
      // Only reading and checking the file may end the valid prefix. Everything after (the
      // segment's offsets and indexes) runs once the batch is known to stay, outside this catch: a
      // failure there is not a corrupt log, and must neither cut good batches nor leave the next
      // offset past the last batch kept (fault harness seed 20261203: a full index cut a sealed
      // segment and the log end ran one offset past it).
      try {
        if (!batches.hasNext()) {
          break;
        }
        batch = batches.next();
        reason = invalidReason(batch);
      } catch (RuntimeException corrupt) {
        // A header that cannot be parsed ends the valid prefix just like a bad CRC does.
        reason = "unreadable batch header: " + corrupt.getMessage();
        break;
      }
      if (reason != null) {
        break;
      }
      observe(batch, validBytes == 0);
      // The index is a cache: a full one (a cleaned segment of many small batches) stays sparse.
      if (bytesSinceLastIndexEntry > indexIntervalBytes && !indexFull()) {
        offsetIndex.append(batch.lastOffset(), validBytes);
        timeIndex.maybeAppend(maxTimestamp, offsetOfMaxTimestamp);
        bytesSinceLastIndexEntry = 0;
      }
      bytesSinceLastIndexEntry += batch.sizeInBytes();
      validBytes += batch.sizeInBytes();
    }
    int truncated = records.sizeInBytes() - validBytes;
    if (truncated > 0) {
      if (reason == null) {
        reason = "incomplete batch at the end of the file (a torn write)";
      }
      try {
        records.truncateTo(validBytes);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot truncate " + records.file(), e);
      }
    }
    return new Recovery(validBytes, truncated, reason);
  }

  /** Why recovery cannot keep {@code batch} (it ends the valid prefix), or null if it can. */
  private String invalidReason(FileChannelRecordBatch batch) {
    if (batch.magic() < RecordBatch.MAGIC_VALUE_V2) {
      return "batch at offset " + batch.baseOffset() + " has magic " + batch.magic();
    }
    if (batch.baseOffset() < nextOffset) {
      return "batch at offset "
          + batch.baseOffset()
          + " does not follow the previous batch (next offset "
          + nextOffset
          + ")";
    }
    if (!batch.isValid()) {
      return "batch at offset " + batch.baseOffset() + " failed its CRC check";
    }
    // Loads the whole header now, inside the caller's catch, rather than in observe().
    batch.maxTimestamp();
    return null;
  }

  /**
   * Cuts off what a failed append (a full disk) left at the end of the file. The channel's position
   * moved with the bytes written before the failure while the segment's size did not: without this
   * the next append would land after those bytes and every later batch be read at a wrong position.
   */
  private void undoPartialAppend(int position) {
    try {
      records.channel().truncate(position);
      records.channel().position(position);
    } catch (IOException e) {
      log.error(
          "segment={} in {} cannot undo a failed append at position {}: {}",
          baseOffset,
          dir,
          position,
          e.toString());
    }
  }

  /** Removes every batch at or after the one holding {@code offset}. Returns bytes removed. */
  int truncateTo(long offset) {
    int position = positionOf(offset);
    int removed = records.sizeInBytes() - position;
    if (removed <= 0) {
      return 0;
    }
    try {
      records.truncateTo(position);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot truncate " + records.file(), e);
    }
    offsetIndex.truncateToPosition(position);
    timeIndex.truncateTo(offset);
    maxTimestamp = RecordBatch.NO_TIMESTAMP;
    offsetOfMaxTimestamp = -1;
    nextOffset = baseOffset;
    for (FileChannelRecordBatch batch : records.batches()) {
      observe(batch, batch.baseOffset() == baseOffset);
    }
    return removed;
  }

  void flush() {
    try {
      records.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("flush failed for " + records.file(), e);
    }
    offsetIndex.flush();
    timeIndex.flush();
  }

  /** Trims the preallocated indexes: the segment takes no more appends. */
  void seal() {
    offsetIndex.seal();
    timeIndex.seal();
  }

  /** Renames the files to {@code *.deleted}; readers holding the open channel keep working. */
  void markDeleted() {
    markedDeleted = true;
    try {
      for (Path file : files()) {
        if (Files.exists(file)) {
          // A compacted segment keeps its first segment's name, so an older *.deleted copy of that
          // name may still await deletion; it is going anyway, and open channels keep reading.
          Files.move(
              file,
              file.resolveSibling(file.getFileName() + DELETED_SUFFIX),
              java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot mark segment " + baseOffset + " deleted", e);
    }
  }

  /** Closes the files and removes them (or their {@code *.deleted} names). */
  void closeAndDelete() {
    try {
      // Indexes are not sealed first: their files may already carry the *.deleted name.
      records.close();
      for (Path file : files()) {
        // Once renamed, the plain name may already belong to a segment that replaced this one.
        if (!markedDeleted) {
          Files.deleteIfExists(file);
        }
        Files.deleteIfExists(file.resolveSibling(file.getFileName() + DELETED_SUFFIX));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete segment " + baseOffset, e);
    }
  }

  private Path[] files() {
    return new Path[] {
      file(dir, baseOffset, LOG_SUFFIX),
      file(dir, baseOffset, INDEX_SUFFIX),
      file(dir, baseOffset, TIME_INDEX_SUFFIX)
    };
  }

  @Override
  public void close() {
    try {
      offsetIndex.close();
      timeIndex.close();
      records.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close segment " + baseOffset, e);
    }
  }
}
