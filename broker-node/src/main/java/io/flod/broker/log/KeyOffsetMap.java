package io.flod.broker.log;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * A fixed-size map from record key to the offset of its newest record, as compaction needs it: the
 * memory is allocated once and never grows, however many keys a log holds. A compaction pass fills
 * it from the log's dirty part until it is full and cleans only up to there; the next pass goes on
 * from that offset (as Kafka's cleaner does with its {@code SkimpyOffsetMap}).
 *
 * <p>Layout: open addressing with linear probing over {@code slots} entries of 24 bytes, the key's
 * 16-byte MD5 digest then {@code offset + 1} (0 marks a free slot). Keys are known by their digest
 * only: two keys with the same MD5 would be taken for one, which for 128 bits is as likely as a
 * disk returning wrong bytes with a valid CRC. The map counts as full at 90% of its slots, so
 * probes stay short.
 *
 * <p>Not thread-safe: one compaction pass uses it at a time.
 */
public final class KeyOffsetMap {
  private static final int HASH_BYTES = 16;
  private static final int SLOT_BYTES = HASH_BYTES + 8;
  private static final double MAX_LOAD = 0.9;

  private final byte[] table;
  private final ByteBuffer slots;
  private final int slotCount;
  private final int maxEntries;
  private final MessageDigest md5;
  private final byte[] hash = new byte[HASH_BYTES];
  private int entries;

  /** A map using about {@code memoryBytes} of heap. */
  public KeyOffsetMap(int memoryBytes) {
    this.slotCount = Math.max(2, memoryBytes / SLOT_BYTES);
    this.table = new byte[slotCount * SLOT_BYTES];
    this.slots = ByteBuffer.wrap(table);
    this.maxEntries = Math.max(1, (int) (slotCount * MAX_LOAD));
    try {
      this.md5 = MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has MD5", e);
    }
  }

  /** Keys the map can take before it counts as full. */
  public int capacity() {
    return maxEntries;
  }

  public int size() {
    return entries;
  }

  /** No room for another new key. */
  public boolean isFull() {
    return entries >= maxEntries;
  }

  public void clear() {
    Arrays.fill(table, (byte) 0);
    entries = 0;
  }

  /**
   * Records {@code offset} as the newest offset of {@code key}.
   *
   * @throws IllegalStateException the key is new and the map is full
   */
  public void put(ByteBuffer key, long offset) {
    int slot = find(key);
    int at = slot * SLOT_BYTES;
    if (slots.getLong(at + HASH_BYTES) == 0) {
      if (isFull()) {
        throw new IllegalStateException("key map is full at " + entries + " keys");
      }
      slots.put(at, hash);
      entries++;
    }
    slots.putLong(at + HASH_BYTES, offset + 1);
  }

  /** The newest offset recorded for {@code key}, or -1 if it has none. */
  public long get(ByteBuffer key) {
    int at = find(key) * SLOT_BYTES;
    return slots.getLong(at + HASH_BYTES) - 1;
  }

  /** The slot holding {@code key}'s digest, or the free slot where it would go. */
  private int find(ByteBuffer key) {
    md5.update(key.duplicate());
    try {
      md5.digest(hash, 0, HASH_BYTES);
    } catch (java.security.DigestException e) {
      throw new IllegalStateException(e);
    }
    int slot = Math.floorMod(ByteBuffer.wrap(hash).getInt(), slotCount);
    while (true) {
      int at = slot * SLOT_BYTES;
      if (slots.getLong(at + HASH_BYTES) == 0 || sameHash(at)) {
        return slot;
      }
      slot = slot + 1 == slotCount ? 0 : slot + 1;
    }
  }

  private boolean sameHash(int at) {
    return Arrays.equals(table, at, at + HASH_BYTES, hash, 0, HASH_BYTES);
  }
}
