package io.flod.broker.log;

import java.nio.file.Path;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * Maps timestamps to offsets in one segment: each 12-byte entry holds a timestamp (long) and the
 * offset (relative, int) of the batch that first reached it. Entries are added only when the
 * segment's largest timestamp grows, so timestamps strictly increase along the file.
 */
final class TimeIndex extends MappedIndex {
  static final int ENTRY_SIZE = 12;
  private final long baseOffset;

  TimeIndex(Path file, long baseOffset, int maxBytes, boolean sealed) {
    super(file, ENTRY_SIZE, maxBytes, sealed);
    this.baseOffset = baseOffset;
  }

  @Override
  protected int countValidEntries(int candidates) {
    long previous = Long.MIN_VALUE;
    for (int i = 0; i < candidates; i++) {
      long timestamp = timestampAt(i);
      if (timestamp <= previous || timestamp == 0) {
        return i;
      }
      previous = timestamp;
    }
    return candidates;
  }

  private long timestampAt(int entry) {
    return buffer().getLong(entry * ENTRY_SIZE);
  }

  private long offsetAt(int entry) {
    return baseOffset + buffer().getInt(entry * ENTRY_SIZE + 8);
  }

  void maybeAppend(long timestamp, long offset) {
    int n = entries();
    if (timestamp == RecordBatch.NO_TIMESTAMP || (n > 0 && timestamp <= timestampAt(n - 1))) {
      return;
    }
    buffer().putLong(n * ENTRY_SIZE, timestamp);
    buffer().putInt(n * ENTRY_SIZE + 8, Math.toIntExact(offset - baseOffset));
    publishEntry();
  }

  /** An offset from which scanning finds the first batch with a timestamp >= {@code timestamp}. */
  long scanStartOffset(long timestamp) {
    int entry = floorEntry(timestamp - 1, this::timestampAt);
    return entry < 0 ? baseOffset : offsetAt(entry);
  }

  /** The largest timestamp indexed, or {@link RecordBatch#NO_TIMESTAMP}. */
  long lastTimestamp() {
    int n = entries();
    return n == 0 ? RecordBatch.NO_TIMESTAMP : timestampAt(n - 1);
  }

  long lastOffset() {
    int n = entries();
    return n == 0 ? baseOffset : offsetAt(n - 1);
  }

  void truncateTo(long offset) {
    int keep = 0;
    while (keep < entries() && offsetAt(keep) < offset) {
      keep++;
    }
    truncateToEntries(keep);
  }
}
