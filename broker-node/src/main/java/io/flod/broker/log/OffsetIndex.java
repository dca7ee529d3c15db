package io.flod.broker.log;

import java.nio.file.Path;

/**
 * Maps offsets to file positions in one segment: each 8-byte entry holds the batch's last offset
 * relative to the segment's base offset (int) and the physical position of that batch (int). An
 * entry is added every {@code index.interval.bytes} of appended data, so a lookup lands at most
 * that many bytes before the wanted batch and the segment scans forward from there.
 */
final class OffsetIndex extends MappedIndex {
  static final int ENTRY_SIZE = 8;
  private final long baseOffset;

  OffsetIndex(Path file, long baseOffset, int maxBytes, boolean sealed) {
    super(file, ENTRY_SIZE, maxBytes, sealed);
    this.baseOffset = baseOffset;
  }

  @Override
  protected int countValidEntries(int candidates) {
    int previousRelative = -1;
    for (int i = 0; i < candidates; i++) {
      int relative = buffer().getInt(i * ENTRY_SIZE);
      int position = buffer().getInt(i * ENTRY_SIZE + 4);
      if (relative <= previousRelative || (i > 0 && position == 0)) {
        return i;
      }
      previousRelative = relative;
    }
    return candidates;
  }

  void append(long offset, int position) {
    int relative = Math.toIntExact(offset - baseOffset);
    int n = entries();
    if (n > 0 && relative <= relativeOffsetAt(n - 1)) {
      return;
    }
    buffer().putInt(n * ENTRY_SIZE, relative);
    buffer().putInt(n * ENTRY_SIZE + 4, position);
    publishEntry();
  }

  private int relativeOffsetAt(int entry) {
    return buffer().getInt(entry * ENTRY_SIZE);
  }

  private int positionAt(int entry) {
    return buffer().getInt(entry * ENTRY_SIZE + 4);
  }

  /** A file position at or before the batch holding {@code offset}: where a forward scan starts. */
  int positionAtOrBefore(long offset) {
    // An entry holds a batch's last offset and that batch's start: the floor entry is the batch
    // that holds offset, or one that ends before it.
    int entry = floorEntry(offset - baseOffset, this::relativeOffsetAt);
    return entry < 0 ? 0 : positionAt(entry);
  }

  /** The start of the last indexed batch at or before {@code position}, or -1 if none. */
  int batchStartAtOrBefore(int position) {
    int entry = floorEntry(position, this::positionAt);
    return entry < 0 ? -1 : positionAt(entry);
  }

  /** Drops the entries for offsets >= {@code offset}. */
  void truncateTo(long offset) {
    int entry = floorEntry(offset - baseOffset - 1, this::relativeOffsetAt);
    truncateToEntries(entry + 1);
  }

  /** Drops the entries whose batch starts at or after {@code position}. */
  void truncateToPosition(int position) {
    int entry = floorEntry(position - 1L, this::positionAt);
    truncateToEntries(entry + 1);
  }
}
