package io.flod.broker.log;

import java.io.Closeable;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A sparse, append-only index of fixed-size, big-endian entries over one segment, memory-mapped.
 *
 * <p>File format: {@code entries × entrySize} bytes. While the segment is active the file is
 * preallocated to {@code maxBytes}, so after a crash it may end in zero entries; {@link
 * #countValidEntries} finds where the real ones stop. The index is a cache of the log: recovery
 * rebuilds it for every segment it rescans, so a lost or torn index never loses data.
 *
 * <p>Thread-safety: one writer (the partition's append lock) and any number of readers. Entries are
 * written with absolute puts before the volatile entry count is raised, so a reader sees a complete
 * prefix.
 */
abstract class MappedIndex implements Closeable {
  private final Path file;
  private final int entrySize;
  private final int maxEntries;
  private MappedByteBuffer buffer;
  private volatile int entries;

  MappedIndex(Path file, int entrySize, int maxBytes, boolean sealed) {
    this.file = file;
    this.entrySize = entrySize;
    this.maxEntries = Math.max(1, maxBytes / entrySize);
    try {
      long existing = Files.exists(file) ? Files.size(file) : 0;
      long mapSize = sealed ? existing - existing % entrySize : (long) maxEntries * entrySize;
      try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
        raf.setLength(Math.max(mapSize, existing - existing % entrySize));
        buffer = raf.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, raf.length());
      }
      entries =
          countValidEntries((int) Math.min(existing / entrySize, buffer.capacity() / entrySize));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open index " + file, e);
    }
  }

  /** How many of the first {@code candidates} entries are real (a crash leaves zeroed ones). */
  protected abstract int countValidEntries(int candidates);

  protected final MappedByteBuffer buffer() {
    return buffer;
  }

  protected final int entrySize() {
    return entrySize;
  }

  final int entries() {
    return entries;
  }

  final boolean isFull() {
    return entries >= maxEntries || (long) (entries + 1) * entrySize > buffer.capacity();
  }

  /** Called by the subclass after writing entry number {@code entries()} into the buffer. */
  protected final void publishEntry() {
    entries = entries + 1;
  }

  /** Forgets every entry from {@code index} on. */
  protected final void truncateToEntries(int index) {
    for (int i = index * entrySize; i < entries * entrySize && i < buffer.capacity(); i++) {
      buffer.put(i, (byte) 0);
    }
    entries = Math.min(entries, index);
  }

  /**
   * Forgets every entry and maps the file at its full preallocated size again, so a rebuild can
   * index a sealed segment as densely as recovery walks it: within the trimmed size of its seal the
   * index would fill long before the end (a follower writes one entry per multi-batch fetch,
   * recovery one per {@code index.interval.bytes}). Whoever rebuilds a sealed segment seals it
   * after.
   */
  final void reset() {
    truncateToEntries(0);
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      long size = (long) maxEntries * entrySize;
      raf.setLength(size);
      buffer = raf.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, size);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot reset index " + file, e);
    }
  }

  /** Largest entry index whose key is <= target, or -1; keys must grow with the entry index. */
  protected final int floorEntry(long target, java.util.function.IntToLongFunction keyAt) {
    int lo = 0;
    int hi = entries - 1;
    int found = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (keyAt.applyAsLong(mid) <= target) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  void flush() {
    buffer.force();
  }

  /** Trims the preallocated file to the entries written: the segment takes no more appends. */
  void seal() {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      buffer.force();
      long size = (long) entries * entrySize;
      raf.setLength(size);
      buffer = raf.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, size);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot seal index " + file, e);
    }
  }

  Path file() {
    return file;
  }

  @Override
  public void close() {
    seal();
  }
}
