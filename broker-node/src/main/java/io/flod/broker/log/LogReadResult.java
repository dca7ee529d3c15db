package io.flod.broker.log;

import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * A read from a partition log, with the log's bounds as they were when it was served. {@code
 * endOffset} is the offset just past the last whole batch returned (a reader of the slice gets that
 * far), or -1 for an empty read.
 */
public record LogReadResult(
    BaseRecords records,
    long highWatermark,
    long logStartOffset,
    long logEndOffset,
    long endOffset) {

  public static LogReadResult empty(long highWatermark, long logStartOffset, long logEndOffset) {
    return new LogReadResult(MemoryRecords.EMPTY, highWatermark, logStartOffset, logEndOffset, -1);
  }

  public int sizeInBytes() {
    return records.sizeInBytes();
  }
}
