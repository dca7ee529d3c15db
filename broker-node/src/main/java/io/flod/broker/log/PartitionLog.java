package io.flod.broker.log;

import io.flod.broker.storage.AtomicFiles;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log of one partition replica: a directory of {@link LogSegment}s ordered by base offset, the
 * last of which takes appends.
 *
 * <p>Offsets: the log start offset is the first segment's base offset; the log end offset (LEO) is
 * the next offset to assign; the high watermark (HW), at or below the LEO, is the end of what
 * readers may see. Whoever owns replication sets the HW; a single replica sets it to the LEO.
 *
 * <p>Crash safety: the recovery point is the offset below which the log is known flushed. On an
 * unclean start every segment from the one holding the recovery point onwards is validated batch by
 * batch and truncated at the first torn or corrupt batch, and later segments are dropped.
 *
 * <p>Thread-safety: appends, rolls, truncation and retention hold {@code lock}; reads take no lock
 * and see the segments map and the published offsets ({@code volatile}).
 */
public final class PartitionLog implements Closeable {
  private static final Logger log = LoggerFactory.getLogger(PartitionLog.class);

  private final TopicPartition topicPartition;
  private final Path dir;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;
  private final ConcurrentNavigableMap<Long, LogSegment> segments = new ConcurrentSkipListMap<>();
  private final ProducerStateManager producerState;
  private LeaderEpochCache epochs;
  private final Object lock = new Object();
  private volatile LogConfig config;
  private volatile LogOffsetMetadata logEnd;
  private volatile LogOffsetMetadata highWatermark;
  private volatile long recoveryPoint;
  private long unflushedRecords;
  private long lastFlushMs;
  private boolean closed;
  private long cleanedUpTo;
  // When the earliest tombstone kept by compaction may go (Long.MAX_VALUE: none kept).
  private long nextTombstoneHorizon;
  private boolean directoryChanged;
  private DirectorySync directorySync = AtomicFiles::fsyncDirectory;

  /** Makes a directory's entries durable (replaceable in tests, which cannot crash the machine). */
  @FunctionalInterface
  interface DirectorySync {
    void fsync(Path dir) throws IOException;
  }

  private PartitionLog(
      TopicPartition topicPartition,
      Path dir,
      LogConfig config,
      Clock clock,
      ScheduledExecutorService scheduler) {
    this.topicPartition = topicPartition;
    this.dir = dir;
    this.config = config;
    this.clock = clock;
    this.scheduler = scheduler;
    this.producerState = new ProducerStateManager(dir);
    this.lastFlushMs = clock.millis();
  }

  /**
   * Opens (or creates) the log of a sole replica, whose whole log is committed: the high watermark
   * starts at the log end.
   */
  public static PartitionLog open(
      TopicPartition topicPartition,
      Path dir,
      LogConfig config,
      boolean cleanShutdown,
      long recoveryPoint,
      Clock clock,
      ScheduledExecutorService scheduler) {
    return open(
        topicPartition,
        dir,
        config,
        cleanShutdown,
        recoveryPoint,
        Long.MAX_VALUE,
        clock,
        scheduler);
  }

  /**
   * Opens (or creates) the log in {@code dir}. With {@code cleanShutdown} the indexes are trusted;
   * otherwise segments from {@code recoveryPoint} on are validated and truncated.
   *
   * <p>The high watermark starts at {@code checkpointedHighWatermark} (clamped to the log), never
   * at the log end: records past it may never have been committed, and a replica that exposed them
   * after a restart could show consumers offsets that a new leader later fills with other records.
   * It moves on as the leader (or, for a leader, the in-sync followers) confirm more.
   */
  public static PartitionLog open(
      TopicPartition topicPartition,
      Path dir,
      LogConfig config,
      boolean cleanShutdown,
      long recoveryPoint,
      long checkpointedHighWatermark,
      Clock clock,
      ScheduledExecutorService scheduler) {
    PartitionLog partitionLog = new PartitionLog(topicPartition, dir, config, clock, scheduler);
    partitionLog.load(cleanShutdown, recoveryPoint, checkpointedHighWatermark);
    return partitionLog;
  }

  private void load(
      boolean cleanShutdown, long checkpointedRecoveryPoint, long checkpointedHighWatermark) {
    try {
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir);
        directorySync.fsync(dir.getParent()); // a new partition's directory survives a crash
      }
      List<Long> rebuildIndexes = SegmentCompactor.completeInterruptedSwaps(dir);
      List<Long> baseOffsets = new ArrayList<>();
      try (Stream<Path> files = Files.list(dir)) {
        for (Path file : (Iterable<Path>) files::iterator) {
          String name = file.getFileName().toString();
          if (name.endsWith(LogSegment.DELETED_SUFFIX) || name.endsWith(".tmp")) {
            Files.deleteIfExists(file);
          } else if (name.endsWith(LogSegment.LOG_SUFFIX)) {
            baseOffsets.add(Long.parseLong(name.substring(0, name.indexOf('.'))));
          }
        }
      }
      baseOffsets.sort(null);
      long now = clock.millis();
      for (int i = 0; i < baseOffsets.size(); i++) {
        boolean active = i == baseOffsets.size() - 1;
        long base = baseOffsets.get(i);
        segments.put(
            base,
            rebuildIndexes.contains(base)
                ? LogSegment.rebuild(dir, base, config, now)
                : LogSegment.open(dir, base, config, !active, now));
      }
      if (segments.isEmpty()) {
        segments.put(0L, LogSegment.create(dir, 0, config, now));
        directoryChanged = true;
      }
      recoveryPoint = cleanShutdown ? segments.lastEntry().getValue().nextOffset() : 0;
      if (!cleanShutdown) {
        recover(checkpointedRecoveryPoint);
      }
      publishLogEnd();
      highWatermark = logEnd;
      if (checkpointedHighWatermark < logEnd.offset()) {
        updateHighWatermark(checkpointedHighWatermark);
      }
      loadLeaderEpochs();
      loadProducerState();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot load log " + topicPartition + " from " + dir, e);
    }
  }

  private void recover(long checkpointedRecoveryPoint) {
    Long from = segments.floorKey(checkpointedRecoveryPoint);
    for (LogSegment segment : segments.tailMap(from == null ? 0L : from).values()) {
      LogSegment.Recovery recovery = segment.recover();
      if (segment != segments.lastEntry().getValue() && recovery.truncatedBytes() == 0) {
        segment.seal(); // recovery rebuilt its indexes at full size; it takes no appends
      }
      if (recovery.truncatedBytes() > 0) {
        log.warn(
            "partition={} segment={} recovery truncated {} bytes from position {}: {}",
            topicPartition,
            segment.baseOffset(),
            recovery.truncatedBytes(),
            recovery.validBytes(),
            recovery.reason());
        for (LogSegment later :
            new ArrayList<>(segments.tailMap(segment.baseOffset(), false).values())) {
          log.warn(
              "partition={} segment={} dropped: it follows a corrupt segment",
              topicPartition,
              later.baseOffset());
          segments.remove(later.baseOffset());
          later.closeAndDelete();
        }
        break;
      }
    }
    recoveryPoint = segments.lastEntry().getValue().nextOffset();
  }

  private void loadLeaderEpochs() {
    epochs = LeaderEpochCache.load(dir);
    if (epochs != null) {
      epochs.truncateFromEnd(logEnd.offset());
      return;
    }
    // No checkpoint (a log written before replication existed): the batch headers say it all.
    epochs = LeaderEpochCache.empty(dir);
    for (LogSegment segment : segments.values()) {
      for (FileChannelRecordBatch batch : segment.batchesFrom(segment.baseOffset())) {
        epochs.assign(batch.partitionLeaderEpoch(), batch.baseOffset());
      }
    }
  }

  private void loadProducerState() {
    long replayFrom =
        producerState.loadLatestSnapshot(logEnd.offset(), logStartOffset(), clock.millis());
    Long first = segments.floorKey(replayFrom);
    for (LogSegment segment : segments.tailMap(first == null ? 0L : first).values()) {
      for (FileChannelRecordBatch batch : segment.batchesFrom(replayFrom)) {
        if (batch.baseOffset() >= replayFrom) {
          producerState.update(batch, clock.millis());
        }
      }
    }
  }

  private void publishLogEnd() {
    LogSegment active = segments.lastEntry().getValue();
    logEnd = new LogOffsetMetadata(active.nextOffset(), active.baseOffset(), active.size());
  }

  /** For tests: observe the directory fsyncs this log makes. */
  void directorySync(DirectorySync sync) {
    this.directorySync = sync;
  }

  public TopicPartition topicPartition() {
    return topicPartition;
  }

  public LogConfig config() {
    return config;
  }

  public void updateConfig(LogConfig newConfig) {
    this.config = newConfig;
  }

  public long logStartOffset() {
    return segments.firstKey();
  }

  public long logEndOffset() {
    return logEnd.offset();
  }

  public long highWatermark() {
    return highWatermark.offset();
  }

  public long recoveryPoint() {
    return recoveryPoint;
  }

  public long sizeInBytes() {
    long size = 0;
    for (LogSegment segment : segments.values()) {
      size += segment.size();
    }
    return size;
  }

  /** Bytes of the log from the batch holding {@code offset} to the end (all of it below start). */
  public long bytesFrom(long offset) {
    long bytes = 0;
    Map.Entry<Long, LogSegment> first =
        offset < logStartOffset() ? null : segments.floorEntry(offset);
    for (LogSegment segment : segments.values()) {
      if (first != null && segment.baseOffset() < first.getKey()) {
        continue;
      }
      bytes +=
          first != null && segment.baseOffset() == first.getKey()
              ? segment.size() - segment.positionOf(offset)
              : segment.size();
    }
    return bytes;
  }

  public int segmentCount() {
    return segments.size();
  }

  /**
   * Appends batches from a producer to this leader's log: validates them, checks producer
   * sequences, assigns offsets and stamps {@code leaderEpoch} into each batch header in place (the
   * bytes are not copied), then writes them to the active segment.
   */
  public LogAppendResult appendAsLeader(MemoryRecords records, int leaderEpoch) {
    int recordCount = BatchValidator.validate(records, config);
    synchronized (lock) {
      for (MutableRecordBatch batch : records.batches()) {
        ProducerStateManager.BatchMetadata duplicate = producerState.check(batch);
        if (duplicate != null) {
          return new LogAppendResult(
              duplicate.firstOffset(),
              duplicate.lastOffset(),
              config.timestampType() == TimestampType.LOG_APPEND_TIME
                  ? duplicate.timestamp()
                  : RecordBatch.NO_TIMESTAMP,
              logStartOffset(),
              0,
              0,
              true);
        }
      }
      long now = clock.millis();
      boolean logAppendTime = config.timestampType() == TimestampType.LOG_APPEND_TIME;
      long firstOffset = logEnd.offset();
      long next = firstOffset;
      long maxTimestamp = RecordBatch.NO_TIMESTAMP;
      long offsetOfMaxTimestamp = firstOffset;
      long firstBatchMaxTimestamp = RecordBatch.NO_TIMESTAMP;
      for (MutableRecordBatch batch : records.batches()) {
        long lastOffset = next + (batch.lastOffset() - batch.baseOffset());
        batch.setLastOffset(lastOffset);
        batch.setPartitionLeaderEpoch(leaderEpoch);
        if (logAppendTime) {
          batch.setMaxTimestamp(TimestampType.LOG_APPEND_TIME, now);
        }
        if (next == firstOffset) {
          firstBatchMaxTimestamp = batch.maxTimestamp();
        }
        if (batch.maxTimestamp() > maxTimestamp) {
          maxTimestamp = batch.maxTimestamp();
          offsetOfMaxTimestamp = lastOffset;
        }
        next = lastOffset + 1;
      }
      epochs.assign(leaderEpoch, firstOffset);
      append(records, firstBatchMaxTimestamp, next - 1, maxTimestamp, offsetOfMaxTimestamp, now);
      for (MutableRecordBatch batch : records.batches()) {
        producerState.update(batch, now);
      }
      maybeFlushAfterAppend(recordCount, now);
      return new LogAppendResult(
          firstOffset,
          next - 1,
          logAppendTime ? now : RecordBatch.NO_TIMESTAMP,
          logStartOffset(),
          recordCount,
          records.sizeInBytes(),
          false);
    }
  }

  /**
   * Appends batches fetched from the leader as they are: offsets, epochs and timestamps were set by
   * the leader. Only whole batches are taken; the first must start at or after this log's end
   * (after it when compaction on the leader removed the batches in between). Returns the number of
   * bytes appended.
   *
   * @throws IllegalStateException the batches do not continue this log (the follower must truncate
   *     and fetch again)
   */
  public int appendAsFollower(MemoryRecords records) {
    int wholeBytes = 0;
    int recordCount = 0;
    long maxTimestamp = RecordBatch.NO_TIMESTAMP;
    long offsetOfMaxTimestamp = -1;
    long firstBatchMaxTimestamp = RecordBatch.NO_TIMESTAMP;
    long lastOffset = -1;
    synchronized (lock) {
      long expected = logEnd.offset();
      long firstOffset = -1;
      for (MutableRecordBatch batch : records.batches()) {
        if (firstOffset >= 0 && batch.lastOffset() - firstOffset > Integer.MAX_VALUE) {
          break; // past what one segment can index: the next fetch brings it
        }
        if (batch.baseOffset() < expected) {
          if (wholeBytes == 0) {
            throw new IllegalStateException(
                "fetched batch at offset "
                    + batch.baseOffset()
                    + " does not continue "
                    + topicPartition
                    + " at "
                    + expected);
          }
          break;
        }
        if (!batch.isValid()) {
          throw new org.apache.kafka.common.errors.CorruptRecordException(
              "fetched batch at offset " + batch.baseOffset() + " failed its CRC check");
        }
        if (wholeBytes == 0) {
          firstBatchMaxTimestamp = batch.maxTimestamp();
          firstOffset = batch.baseOffset();
        }
        if (batch.maxTimestamp() > maxTimestamp) {
          maxTimestamp = batch.maxTimestamp();
          offsetOfMaxTimestamp = batch.lastOffset();
        }
        wholeBytes += batch.sizeInBytes();
        recordCount += (int) (batch.lastOffset() - batch.baseOffset() + 1);
        lastOffset = batch.lastOffset();
        expected = lastOffset + 1;
      }
      if (wholeBytes == 0) {
        return 0;
      }
      MemoryRecords whole = records;
      if (wholeBytes < records.sizeInBytes()) {
        java.nio.ByteBuffer slice = records.buffer().duplicate();
        slice.limit(slice.position() + wholeBytes);
        whole = MemoryRecords.readableRecords(slice.slice());
      }
      for (MutableRecordBatch batch : whole.batches()) {
        epochs.assign(batch.partitionLeaderEpoch(), batch.baseOffset());
      }
      long now = clock.millis();
      append(whole, firstBatchMaxTimestamp, lastOffset, maxTimestamp, offsetOfMaxTimestamp, now);
      for (MutableRecordBatch batch : whole.batches()) {
        producerState.update(batch, now);
      }
      maybeFlushAfterAppend(recordCount, now);
      return wholeBytes;
    }
  }

  /**
   * Removes every batch at or after {@code offset} (a follower whose suffix diverged from its new
   * leader's log). The high watermark, recovery point, leader epochs and producer state follow.
   */
  public void truncateTo(long offset) {
    synchronized (lock) {
      if (offset >= logEnd.offset()) {
        return;
      }
      if (offset <= logStartOffset()) {
        truncateFullyAndStartAt(offset);
        return;
      }
      long removedFrom = logEnd.offset();
      LogSegment activeBefore = segments.lastEntry().getValue();
      for (LogSegment later : new ArrayList<>(segments.tailMap(offset, true).values())) {
        if (later.baseOffset() == segments.firstKey()) {
          break;
        }
        segments.remove(later.baseOffset());
        later.closeAndDelete();
      }
      LogSegment last = segments.lastEntry().getValue();
      last.truncateTo(offset);
      if (last != activeBefore) {
        // A sealed segment's indexes are trimmed to size: appends go to a fresh segment.
        long base = last.nextOffset();
        if (last.size() == 0) {
          segments.remove(last.baseOffset());
          last.closeAndDelete();
        }
        segments.put(base, LogSegment.create(dir, base, config, clock.millis()));
        directoryChanged = true;
      }
      afterTruncation(offset);
      log.warn(
          "partition={} truncated from {} to {} to match the leader's log",
          topicPartition,
          removedFrom,
          logEnd.offset());
    }
  }

  /** Drops the whole log and restarts it empty at {@code offset} (a replica far behind). */
  public void truncateFullyAndStartAt(long offset) {
    synchronized (lock) {
      for (LogSegment segment : new ArrayList<>(segments.values())) {
        segments.remove(segment.baseOffset());
        segment.closeAndDelete();
      }
      segments.put(offset, LogSegment.create(dir, offset, config, clock.millis()));
      directoryChanged = true;
      epochs.clear();
      afterTruncation(offset);
      log.warn("partition={} emptied and restarted at offset {}", topicPartition, offset);
    }
  }

  private void afterTruncation(long offset) {
    publishLogEnd();
    if (highWatermark.offset() > logEnd.offset()) {
      highWatermark = logEnd;
    } else if (highWatermark.segmentBaseOffset() > logEnd.segmentBaseOffset()
        || !segments.containsKey(highWatermark.segmentBaseOffset())) {
      updateHighWatermark(Math.min(highWatermark.offset(), logEnd.offset()));
    }
    recoveryPoint = Math.min(recoveryPoint, logEnd.offset());
    cleanedUpTo = Math.min(cleanedUpTo, logEnd.offset());
    epochs.truncateFromEnd(logEnd.offset());
    loadProducerState();
  }

  /** The latest leader epoch written into this log, or -1. */
  public int latestEpoch() {
    return epochs.latestEpoch();
  }

  /**
   * Where {@code epoch} ends in this log: the largest epoch at or below it and the first offset of
   * the next epoch (or the log end), or {@code (-1, -1)} if the log knows no such epoch.
   */
  public EpochEnd endOffsetForEpoch(int epoch) {
    return epochs.endOffsetFor(epoch, logEnd.offset());
  }

  private void append(
      MemoryRecords records,
      long firstBatchMaxTimestamp,
      long lastOffset,
      long maxTimestamp,
      long offsetOfMaxTimestamp,
      long now) {
    long firstOffset = records.batches().iterator().next().baseOffset();
    LogSegment active = maybeRoll(records.sizeInBytes(), firstOffset, lastOffset, now);
    active.append(records, firstBatchMaxTimestamp, lastOffset, maxTimestamp, offsetOfMaxTimestamp);
    publishLogEnd();
  }

  /**
   * Rolls to a new segment, based at {@code firstOffset} (the log end, or past it after a gap a
   * follower copies from a compacted leader), when the active one is full, old, has full indexes,
   * or cannot index {@code lastOffset} relative to its base. The new file's directory entry is made
   * durable by the next flush.
   */
  private LogSegment maybeRoll(int incomingBytes, long firstOffset, long lastOffset, long now) {
    LogSegment active = segments.lastEntry().getValue();
    LogConfig current = config;
    boolean full =
        active.size() > 0 && (long) active.size() + incomingBytes > current.segmentBytes();
    boolean old = active.size() > 0 && now - active.rollingTimestamp() > current.segmentMs();
    if (!full && !old && !active.indexFull() && active.canHoldOffset(lastOffset)) {
      return active;
    }
    long newBase = firstOffset;
    active.seal();
    producerState.takeSnapshot(logEnd.offset());
    LogSegment rolled = LogSegment.create(dir, newBase, current, now);
    segments.put(newBase, rolled);
    directoryChanged = true;
    log.info(
        "partition={} rolled segment {} ({} bytes) to new segment {}",
        topicPartition,
        active.baseOffset(),
        active.size(),
        newBase);
    // The sealed segment is flushed off the append path; the recovery point moves past it then.
    scheduler.execute(() -> flushSealed(active, newBase));
    return rolled;
  }

  private void flushSealed(LogSegment sealed, long upTo) {
    try {
      synchronized (lock) {
        if (closed || !segments.containsKey(sealed.baseOffset())) {
          return; // closing flushed it already, or retention removed it
        }
      }
      sealed.flush();
      synchronized (lock) {
        recoveryPoint = Math.max(recoveryPoint, upTo);
      }
    } catch (UncheckedIOException e) {
      log.error(
          "partition={} flush of sealed segment {} failed", topicPartition, sealed.baseOffset(), e);
    }
  }

  private void maybeFlushAfterAppend(int recordCount, long now) {
    unflushedRecords += recordCount;
    if (unflushedRecords >= config.flushMessages()) {
      flushLocked(now);
    }
  }

  /** Flushes if the topic's {@code flush.ms} interval has passed; called on a schedule. */
  public void flushIfDue() {
    synchronized (lock) {
      long now = clock.millis();
      if (unflushedRecords > 0 && now - lastFlushMs >= config.flushMs()) {
        flushLocked(now);
      }
    }
  }

  public void flush() {
    synchronized (lock) {
      flushLocked(clock.millis());
    }
  }

  private void flushLocked(long now) {
    Long from = segments.floorKey(recoveryPoint);
    for (LogSegment segment : segments.tailMap(from == null ? 0L : from).values()) {
      segment.flush();
    }
    if (directoryChanged) {
      // A segment created since the last flush exists after a machine crash only once its
      // directory entry is on disk: fsyncing the file alone does not write the entry.
      try {
        directorySync.fsync(dir);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot fsync log directory " + dir, e);
      }
      directoryChanged = false;
    }
    recoveryPoint = logEnd.offset();
    unflushedRecords = 0;
    lastFlushMs = now;
  }

  /**
   * Moves the high watermark (clamped to [log start, LEO]); readers never see past it. Returns true
   * if it moved.
   */
  public boolean updateHighWatermark(long offset) {
    LogOffsetMetadata end = logEnd;
    long clamped = Math.max(logStartOffset(), Math.min(offset, end.offset()));
    if (clamped == highWatermark.offset()) {
      return false;
    }
    if (clamped == end.offset()) {
      highWatermark = end;
    } else {
      Map.Entry<Long, LogSegment> entry = segments.floorEntry(clamped);
      highWatermark =
          new LogOffsetMetadata(clamped, entry.getKey(), entry.getValue().positionOf(clamped));
    }
    return true;
  }

  /**
   * Reads from {@code offset} up to the high watermark: at most {@code maxBytes}, or the whole
   * first batch when {@code minOneBatch} (so a batch larger than the limit still gets through).
   *
   * @throws OffsetOutOfRangeException {@code offset} is below the log start or above the LEO
   */
  public LogReadResult read(long offset, int maxBytes, boolean minOneBatch) {
    LogOffsetMetadata hw = highWatermark;
    return read(offset, maxBytes, minOneBatch, hw, hw.offset());
  }

  /** Reads up to the log end, as a follower replicating this leader's log needs. */
  public LogReadResult readForReplica(long offset, int maxBytes) {
    long hw = highWatermark.offset();
    return read(offset, maxBytes, true, logEnd, hw);
  }

  private LogReadResult read(
      long offset, int maxBytes, boolean minOneBatch, LogOffsetMetadata end, long hw) {
    long startOffset = logStartOffset();
    long endOffset = logEnd.offset();
    if (offset < startOffset || offset > endOffset) {
      throw new OffsetOutOfRangeException(
          "offset "
              + offset
              + " is outside ["
              + startOffset
              + ", "
              + endOffset
              + "] of "
              + topicPartition);
    }
    if (offset >= end.offset()) {
      return LogReadResult.empty(hw, startOffset, endOffset);
    }
    Map.Entry<Long, LogSegment> entry = segments.floorEntry(offset);
    while (entry != null && entry.getKey() <= end.segmentBaseOffset()) {
      LogSegment segment = entry.getValue();
      int maxPosition =
          segment.baseOffset() == end.segmentBaseOffset() ? end.position() : segment.size();
      FileSliceRecords slice = segment.read(offset, maxBytes, maxPosition, minOneBatch);
      if (slice != null) {
        int sliceEndPosition = slice.position() + slice.sizeInBytes();
        long sliceEnd;
        if (sliceEndPosition == maxPosition) {
          sliceEnd =
              segment.baseOffset() == end.segmentBaseOffset() ? end.offset() : segment.nextOffset();
        } else {
          sliceEnd =
              segment.nextOffsetAfterWholeBatches(slice.position(), sliceEndPosition, offset);
        }
        return new LogReadResult(slice, hw, startOffset, endOffset, sliceEnd);
      }
      entry = segments.higherEntry(entry.getKey());
    }
    return LogReadResult.empty(hw, startOffset, endOffset);
  }

  /** Calls {@code visitor} with every batch from the one holding {@code offset} up to the HW. */
  public void forEachBatch(long offset, java.util.function.Consumer<RecordBatch> visitor) {
    forEachBatch(offset, highWatermark(), visitor);
  }

  /**
   * Calls {@code visitor} with every batch from the one holding {@code offset} below {@code end}.
   */
  public void forEachBatch(
      long offset, long end, java.util.function.Consumer<RecordBatch> visitor) {
    long hw = end;
    Long first = segments.floorKey(Math.max(offset, logStartOffset()));
    for (LogSegment segment : segments.tailMap(first == null ? logStartOffset() : first).values()) {
      for (FileChannelRecordBatch batch : segment.batchesFrom(offset)) {
        if (batch.baseOffset() >= hw) {
          return;
        }
        if (batch.lastOffset() >= offset) {
          visitor.accept(batch);
        }
      }
    }
  }

  /**
   * The first record with a timestamp at or after {@code timestamp} below the high watermark, or
   * null if there is none.
   */
  public FileRecords.TimestampAndOffset offsetForTimestamp(long timestamp) {
    long hw = highWatermark();
    for (LogSegment segment : segments.values()) {
      if (segment.maxTimestamp() >= timestamp) {
        FileRecords.TimestampAndOffset found = segment.findOffsetByTimestamp(timestamp);
        if (found != null && found.offset < hw) {
          return found;
        }
        return null;
      }
    }
    return null;
  }

  /** The record with the largest timestamp below the high watermark, or null if empty. */
  public FileRecords.TimestampAndOffset offsetOfMaxTimestamp() {
    LogSegment best = null;
    for (LogSegment segment : segments.values()) {
      if (segment.maxTimestamp() != RecordBatch.NO_TIMESTAMP
          && (best == null || segment.maxTimestamp() > best.maxTimestamp())) {
        best = segment;
      }
    }
    return best == null ? null : best.findOffsetByTimestamp(best.maxTimestamp());
  }

  /**
   * Deletes whole segments past {@code retention.ms} or beyond {@code retention.bytes}, oldest
   * first, never the active segment and never data above the high watermark. Files are renamed at
   * once and removed after {@code file.delete.delay.ms}, so in-flight reads finish. Returns the
   * number of segments deleted.
   */
  public int deleteRetainedSegments() {
    List<LogSegment> deleted = new ArrayList<>();
    if (!config.deleteByRetention()) {
      return 0;
    }
    synchronized (lock) {
      LogConfig current = config;
      long now = clock.millis();
      long size = sizeInBytes();
      LogSegment active = segments.lastEntry().getValue();
      for (LogSegment segment : segments.values()) {
        if (segment == active || segment.nextOffset() > highWatermark()) {
          break;
        }
        boolean expired =
            current.retentionMs() >= 0
                && now - segment.retentionTimestamp() > current.retentionMs();
        boolean oversize =
            current.retentionBytes() >= 0 && size - segment.size() >= current.retentionBytes();
        if (!expired && !oversize) {
          break;
        }
        size -= segment.size();
        deleted.add(segment);
      }
      for (LogSegment segment : deleted) {
        segments.remove(segment.baseOffset());
        segment.markDeleted();
      }
    }
    for (LogSegment segment : deleted) {
      log.info(
          "partition={} retention deleted segment {}; log start offset now {}",
          topicPartition,
          segment.baseOffset(),
          logStartOffset());
      scheduler.schedule(
          segment::closeAndDelete, config.fileDeleteDelayMs(), TimeUnit.MILLISECONDS);
    }
    return deleted.size();
  }

  /**
   * Runs one compaction pass when the topic's cleanup policy says so and there is work: segments
   * sealed since the last pass, or kept tombstones whose delete horizon has passed ({@link
   * SegmentCompactor} describes what survives). Only sealed segments wholly below the high
   * watermark are touched. {@code map} bounds the memory: a pass cleans as far as the map reaches
   * and the next pass goes on from there. Returns the bytes removed.
   */
  public long compact(KeyOffsetMap map) {
    LogConfig current = config;
    if (!current.compact()) {
      return 0;
    }
    List<LogSegment> cleanable = new ArrayList<>();
    long cleanableEnd = -1;
    synchronized (lock) {
      if (closed) {
        return 0;
      }
      long hw = highWatermark();
      List<Map.Entry<Long, LogSegment>> all = new ArrayList<>(segments.entrySet());
      for (int i = 0; i + 1 < all.size() && all.get(i + 1).getKey() <= hw; i++) {
        cleanable.add(all.get(i).getValue());
        cleanableEnd = all.get(i + 1).getKey();
      }
    }
    long now = clock.millis();
    long dirtyFrom = Math.max(cleanedUpTo, logStartOffset());
    boolean dirty = cleanableEnd > dirtyFrom;
    if (cleanable.isEmpty() || (!dirty && now < nextTombstoneHorizon)) {
      return 0;
    }
    map.clear();
    long mappedEnd =
        dirty
            ? SegmentCompactor.mapNewestOffsets(cleanable, dirtyFrom, cleanableEnd, map)
            : cleanedUpTo;
    SegmentCompactor.CleaningFilter filter =
        new SegmentCompactor.CleaningFilter(map, mappedEnd, now, current.deleteRetentionMs());
    long[] sizes = new long[2];
    int groups = 0;
    SegmentCompactor.CleanedFile cleaned = null;
    try {
      for (LogSegment segment : cleanable) {
        if (segment.baseOffset() >= mappedEnd) {
          break;
        }
        if (cleaned != null && !fitsGroup(cleaned, segment, cleanableEnd, current)) {
          if (!swapIn(cleaned, cleanableEnd)) {
            return sizes[0] - sizes[1]; // truncated or closed meanwhile: try again later
          }
          cleaned = null;
          groups++;
        }
        if (cleaned == null) {
          cleaned = new SegmentCompactor.CleanedFile(dir, segment.baseOffset());
        }
        cleaned.append(segment, filter, sizes);
      }
      if (cleaned != null) {
        if (!swapIn(cleaned, cleanableEnd)) {
          return sizes[0] - sizes[1];
        }
        cleaned = null;
        groups++;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("compaction of " + topicPartition + " failed", e);
    } finally {
      if (cleaned != null) {
        try {
          cleaned.close();
          Files.deleteIfExists(cleaned.path());
        } catch (IOException e) {
          log.warn(
              "partition={} cannot remove {}: {}", topicPartition, cleaned.path(), e.toString());
        }
      }
    }
    synchronized (lock) {
      cleanedUpTo = Math.max(cleanedUpTo, mappedEnd);
      nextTombstoneHorizon = filter.earliestHorizon();
    }
    log.info(
        "partition={} compacted below offset {} ({} keys mapped from offset {}) into {} segments:"
            + " {} bytes to {}",
        topicPartition,
        mappedEnd,
        map.size(),
        dirtyFrom,
        groups,
        sizes[0],
        sizes[1]);
    return sizes[0] - sizes[1];
  }

  /**
   * Forgets the idempotent producers that appended nothing for {@code expirationMs}; returns how
   * many.
   */
  public int expireProducers(long expirationMs) {
    synchronized (lock) {
      return producerState.expire(clock.millis(), expirationMs);
    }
  }

  /** Idempotent producers whose state this partition keeps. */
  public int producerCount() {
    synchronized (lock) {
      return producerState.producerCount();
    }
  }

  /** Compacts with a key map of its own (tests and tools; brokers share one map). */
  public long compact() {
    return compact(new KeyOffsetMap(1 << 20));
  }

  /**
   * Whether {@code segment} may join the group being written: the group's output plus the whole
   * segment stays within {@code segment.bytes}, and one segment's index can hold its offsets.
   */
  private boolean fitsGroup(
      SegmentCompactor.CleanedFile group,
      LogSegment segment,
      long cleanableEnd,
      LogConfig current) {
    long groupBase = group.replaces().get(0).baseOffset();
    return group.bytes() + segment.size() <= current.segmentBytes()
        && endOf(List.of(segment), cleanableEnd) - 1 - groupBase <= Integer.MAX_VALUE;
  }

  /** Where the last segment of {@code group} ends: the base offset of the segment after it. */
  private long endOf(List<LogSegment> group, long cleanableEnd) {
    Long next = segments.higherKey(group.get(group.size() - 1).baseOffset());
    return next == null ? cleanableEnd : next;
  }

  /**
   * Puts the cleaned file in place of the segments it replaces (see {@link SegmentCompactor} for
   * the file protocol). Returns false, discarding the file, if they changed meanwhile.
   */
  private boolean swapIn(SegmentCompactor.CleanedFile cleanedFile, long cleanableEnd)
      throws IOException {
    cleanedFile.finish();
    Path cleaned = cleanedFile.path();
    List<LogSegment> group = cleanedFile.replaces();
    long base = group.get(0).baseOffset();
    long groupEnd = endOf(group, cleanableEnd);
    synchronized (lock) {
      try {
        for (LogSegment segment : group) {
          if (closed || segments.get(segment.baseOffset()) != segment) {
            Files.deleteIfExists(cleaned);
            return false;
          }
        }
        Path swap = SegmentCompactor.swapFile(dir, base, groupEnd);
        Files.move(cleaned, swap, StandardCopyOption.ATOMIC_MOVE);
        directorySync.fsync(dir);
        for (LogSegment segment : group) {
          segments.remove(segment.baseOffset());
          segment.markDeleted();
        }
        Files.move(
            swap,
            LogSegment.file(dir, base, LogSegment.LOG_SUFFIX),
            StandardCopyOption.ATOMIC_MOVE);
        directorySync.fsync(dir);
      } catch (IOException e) {
        throw new UncheckedIOException("compaction swap of " + topicPartition + " failed", e);
      }
      segments.put(base, LogSegment.rebuild(dir, base, config, clock.millis()));
    }
    for (LogSegment segment : group) {
      scheduler.schedule(
          segment::closeAndDelete, config.fileDeleteDelayMs(), TimeUnit.MILLISECONDS);
    }
    return true;
  }

  /** The offset below which the last compaction passes have cleaned the log. */
  long cleanedUpTo() {
    return cleanedUpTo;
  }

  /** Every segment but the active one, oldest first. */
  List<LogSegment> sealedSegments() {
    return new ArrayList<>(segments.headMap(segments.lastKey(), false).values());
  }

  /** Writes the producer snapshot, flushes and closes every segment: a clean shutdown. */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      flushLocked(clock.millis());
      producerState.takeSnapshot(logEnd.offset());
      for (LogSegment segment : segments.values()) {
        segment.close();
      }
    }
  }

  /** Closes the files and removes the directory: the topic was deleted. */
  public void closeAndDelete() {
    synchronized (lock) {
      closed = true;
      for (LogSegment segment : segments.values()) {
        segment.closeAndDelete();
      }
      segments.clear();
    }
  }
}
