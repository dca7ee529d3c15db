package io.flod.broker.log;

import io.flod.broker.storage.AtomicFiles;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * Idempotent-producer state of one partition: for each producer id, its epoch and the offsets of
 * its last {@value #CACHED_BATCHES} batches, so that a retried batch is answered with the offset it
 * got the first time and a gap in sequence numbers is refused.
 *
 * <p>The state is derived from the log (every batch carries producer id, epoch and sequences), so
 * it is rebuilt by replaying batch headers. Snapshots bound that replay: {@code <offset>.snapshot}
 * holds the state as of {@code offset} (format: version int, offset long, producer count int, then
 * per producer id long, epoch short, batch count byte and per batch first/last sequence int,
 * first/last offset long, timestamp long; a CRC32C long over everything before it). They are
 * written at segment roll and clean shutdown, by temp file, fsync and rename.
 *
 * <p>Thread-safety: guarded by the owning log's lock.
 */
final class ProducerStateManager {
  static final int CACHED_BATCHES = 5;
  private static final String SNAPSHOT_SUFFIX = ".snapshot";
  private static final int SNAPSHOT_VERSION = 1;
  private static final int SNAPSHOTS_KEPT = 2;

  record BatchMetadata(
      int firstSeq, int lastSeq, long firstOffset, long lastOffset, long timestamp) {}

  private static final class ProducerEntry {
    short epoch;
    long lastAppendMs; // broker clock, not the client's timestamps: what expiry goes by
    final ArrayDeque<BatchMetadata> batches = new ArrayDeque<>(CACHED_BATCHES);

    int lastSeq() {
      return batches.isEmpty() ? RecordBatch.NO_SEQUENCE : batches.peekLast().lastSeq();
    }
  }

  private final Path dir;
  private final Map<Long, ProducerEntry> producers = new HashMap<>();

  ProducerStateManager(Path dir) {
    this.dir = dir;
  }

  /**
   * Checks a batch from a producer before it is appended. Returns the earlier append it duplicates
   * (the producer retried), or null if it is new and in sequence.
   *
   * @throws InvalidProducerEpochException the producer was fenced by a newer epoch
   * @throws OutOfOrderSequenceException the batch skips or repeats sequence numbers
   */
  BatchMetadata check(RecordBatch batch) {
    if (!batch.hasProducerId()) {
      return null;
    }
    ProducerEntry entry = producers.get(batch.producerId());
    if (entry == null) {
      // Unknown producer (new, or its state expired): any first sequence starts it.
      return null;
    }
    if (batch.producerEpoch() < entry.epoch) {
      throw new InvalidProducerEpochException(
          "producer "
              + batch.producerId()
              + " epoch "
              + batch.producerEpoch()
              + " is older than current epoch "
              + entry.epoch);
    }
    if (batch.producerEpoch() > entry.epoch) {
      if (batch.baseSequence() != 0) {
        throw new OutOfOrderSequenceException(
            "producer "
                + batch.producerId()
                + " new epoch "
                + batch.producerEpoch()
                + " must start at sequence 0, got "
                + batch.baseSequence());
      }
      return null;
    }
    for (BatchMetadata cached : entry.batches) {
      if (cached.firstSeq() == batch.baseSequence() && cached.lastSeq() == batch.lastSequence()) {
        return cached;
      }
    }
    int lastSeq = entry.lastSeq();
    boolean inSequence =
        lastSeq == RecordBatch.NO_SEQUENCE
            || batch.baseSequence() == lastSeq + 1
            || (batch.baseSequence() == 0 && lastSeq == Integer.MAX_VALUE);
    if (!inSequence) {
      throw new OutOfOrderSequenceException(
          "producer "
              + batch.producerId()
              + " sent sequence "
              + batch.baseSequence()
              + " after "
              + lastSeq);
    }
    return null;
  }

  /**
   * Records a batch whose offsets are assigned (on append, and when replaying the log), at {@code
   * nowMs} on the broker's clock.
   */
  void update(RecordBatch batch, long nowMs) {
    if (!batch.hasProducerId()) {
      return;
    }
    ProducerEntry entry = producers.computeIfAbsent(batch.producerId(), id -> new ProducerEntry());
    entry.lastAppendMs = nowMs;
    if (batch.producerEpoch() != entry.epoch) {
      entry.batches.clear();
      entry.epoch = batch.producerEpoch();
    }
    if (entry.batches.size() == CACHED_BATCHES) {
      entry.batches.pollFirst();
    }
    entry.batches.addLast(
        new BatchMetadata(
            batch.baseSequence(),
            batch.lastSequence(),
            batch.baseOffset(),
            batch.lastOffset(),
            batch.maxTimestamp()));
  }

  /**
   * Forgets producers that appended nothing for {@code expirationMs} (Kafka's {@code
   * producer.id.expiration.ms}), so that a client cycling producer ids cannot grow the broker's
   * memory without bound. A forgotten producer that comes back is taken as new: its next batch
   * starts it at any sequence, as after Kafka's expiry. Returns how many were forgotten.
   */
  int expire(long nowMs, long expirationMs) {
    int before = producers.size();
    producers.values().removeIf(entry -> nowMs - entry.lastAppendMs >= expirationMs);
    return before - producers.size();
  }

  /** Producers whose state is kept. */
  int producerCount() {
    return producers.size();
  }

  /** Writes the current state as of {@code offset} and prunes old snapshots. */
  void takeSnapshot(long offset) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeInt(SNAPSHOT_VERSION);
      out.writeLong(offset);
      out.writeInt(producers.size());
      for (Map.Entry<Long, ProducerEntry> e : producers.entrySet()) {
        out.writeLong(e.getKey());
        out.writeShort(e.getValue().epoch);
        out.writeByte(e.getValue().batches.size());
        for (BatchMetadata b : e.getValue().batches) {
          out.writeInt(b.firstSeq());
          out.writeInt(b.lastSeq());
          out.writeLong(b.firstOffset());
          out.writeLong(b.lastOffset());
          out.writeLong(b.timestamp());
        }
      }
      CRC32C crc = new CRC32C();
      crc.update(bytes.toByteArray());
      out.writeLong(crc.getValue());
      AtomicFiles.write(snapshotFile(offset), bytes.toByteArray());
      List<Long> offsets = snapshotOffsets();
      for (int i = 0; i < offsets.size() - SNAPSHOTS_KEPT; i++) {
        Files.deleteIfExists(snapshotFile(offsets.get(i)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write producer snapshot in " + dir, e);
    }
  }

  /**
   * Loads the newest valid snapshot at or below {@code logEndOffset} (deleting any above it, which
   * a truncation made stale) and returns its offset: the log replays batches from there. Returns
   * {@code fallbackOffset} with empty state when there is none.
   */
  long loadLatestSnapshot(long logEndOffset, long fallbackOffset, long nowMs) {
    producers.clear();
    List<Long> offsets;
    try {
      offsets = snapshotOffsets();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list producer snapshots in " + dir, e);
    }
    for (int i = offsets.size() - 1; i >= 0; i--) {
      long offset = offsets.get(i);
      Path file = snapshotFile(offset);
      try {
        if (offset > logEndOffset || offset < fallbackOffset || !read(file, nowMs)) {
          Files.deleteIfExists(file);
          continue;
        }
        return offset;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read producer snapshot " + file, e);
      }
    }
    return fallbackOffset;
  }

  /**
   * Reads a snapshot; its producers count as seen at {@code nowMs} (a restart starts their clock).
   */
  private boolean read(Path file, long nowMs) throws IOException {
    byte[] content = Files.readAllBytes(file);
    if (content.length < 8 + 16) {
      return false;
    }
    CRC32C crc = new CRC32C();
    crc.update(content, 0, content.length - 8);
    DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(content));
    in.skipNBytes(content.length - 8);
    if (in.readLong() != crc.getValue()) {
      return false;
    }
    in = new DataInputStream(new java.io.ByteArrayInputStream(content));
    if (in.readInt() != SNAPSHOT_VERSION) {
      return false;
    }
    in.readLong();
    int count = in.readInt();
    for (int i = 0; i < count; i++) {
      ProducerEntry entry = new ProducerEntry();
      entry.lastAppendMs = nowMs;
      long producerId = in.readLong();
      entry.epoch = in.readShort();
      int batches = in.readByte();
      for (int b = 0; b < batches; b++) {
        entry.batches.addLast(
            new BatchMetadata(
                in.readInt(), in.readInt(), in.readLong(), in.readLong(), in.readLong()));
      }
      producers.put(producerId, entry);
    }
    return true;
  }

  private Path snapshotFile(long offset) {
    return dir.resolve(String.format("%020d%s", offset, SNAPSHOT_SUFFIX));
  }

  private List<Long> snapshotOffsets() throws IOException {
    List<Long> offsets = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(SNAPSHOT_SUFFIX))
          .forEach(
              n ->
                  offsets.add(
                      Long.parseLong(n.substring(0, n.length() - SNAPSHOT_SUFFIX.length()))));
    }
    offsets.sort(null);
    return offsets;
  }
}
