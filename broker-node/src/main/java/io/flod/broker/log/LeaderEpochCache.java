package io.flod.broker.log;

import io.flod.broker.storage.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Which leader epoch wrote which part of a log: epoch → first offset it wrote. A follower asks its
 * leader where the follower's latest epoch ends in the leader's log and truncates there (KIP-101,
 * KIP-279), so replicas that diverged after a failover agree again before following.
 *
 * <p>The checkpoint file is written (atomically, fsynced) whenever an epoch is added or removed,
 * which happens once per leadership, not per batch; it is written before the first batch of the
 * epoch, so the file never misses an epoch the log holds.
 */
final class LeaderEpochCache {
  static final String FILE = "leader-epoch-checkpoint";

  private final Path file;
  private final NavigableMap<Integer, Long> startOffsets = new TreeMap<>();

  private LeaderEpochCache(Path file) {
    this.file = file;
  }

  /** Loads the checkpoint, or returns null when there is none (the caller rebuilds it). */
  static LeaderEpochCache load(Path dir) {
    LeaderEpochCache cache = new LeaderEpochCache(dir.resolve(FILE));
    if (!Files.exists(cache.file)) {
      return null;
    }
    try {
      for (String line : Files.readAllLines(cache.file, StandardCharsets.UTF_8)) {
        String[] fields = line.trim().split(" ");
        if (fields.length == 2) {
          cache.startOffsets.put(Integer.parseInt(fields[0]), Long.parseLong(fields[1]));
        }
      }
    } catch (IOException | NumberFormatException e) {
      return null;
    }
    return cache;
  }

  static LeaderEpochCache empty(Path dir) {
    return new LeaderEpochCache(dir.resolve(FILE));
  }

  synchronized int latestEpoch() {
    return startOffsets.isEmpty() ? -1 : startOffsets.lastKey();
  }

  /** Records that {@code epoch} starts at {@code offset}, if it is newer than every known epoch. */
  synchronized void assign(int epoch, long offset) {
    if (epoch < 0 || (!startOffsets.isEmpty() && epoch <= startOffsets.lastKey())) {
      return;
    }
    startOffsets.put(epoch, offset);
    persist();
  }

  /**
   * The largest epoch at or below {@code requested} and the offset where it ends: the start of the
   * next epoch, or {@code logEndOffset} for the latest.
   */
  synchronized EpochEnd endOffsetFor(int requested, long logEndOffset) {
    Map.Entry<Integer, Long> floor = startOffsets.floorEntry(requested);
    if (floor == null) {
      return new EpochEnd(-1, -1);
    }
    Map.Entry<Integer, Long> next = startOffsets.higherEntry(floor.getKey());
    return new EpochEnd(floor.getKey(), next == null ? logEndOffset : next.getValue());
  }

  /** Forgets epochs that start at or after {@code offset}: the log was truncated there. */
  synchronized void truncateFromEnd(long offset) {
    boolean changed = startOffsets.values().removeIf(start -> start >= offset);
    if (changed) {
      persist();
    }
  }

  /** Forgets everything: the log restarts empty at a new offset. */
  synchronized void clear() {
    startOffsets.clear();
    persist();
  }

  private void persist() {
    StringBuilder text = new StringBuilder();
    startOffsets.forEach(
        (epoch, start) -> text.append(epoch).append(' ').append(start).append('\n'));
    try {
      AtomicFiles.write(file, text.toString().getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
