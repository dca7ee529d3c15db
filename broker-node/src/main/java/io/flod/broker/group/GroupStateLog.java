package io.flod.broker.group;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * Where the coordinator keeps group state: the partitions of an internal log. Each group lives in
 * one partition, chosen by {@link #partitionFor}. A coordinator that takes over a partition
 * rebuilds its groups with {@link #replay}, so the log is the only state that must survive.
 */
interface GroupStateLog {
  /** A key and value (null for a tombstone) to append. */
  record KeyValue(byte[] key, byte[] value) {}

  int partitionCount();

  default int partitionFor(String groupId) {
    return (groupId.hashCode() & 0x7fffffff) % partitionCount();
  }

  /**
   * Appends records to a partition and returns once they are committed.
   *
   * @throws org.apache.kafka.common.errors.ApiException the append failed; nothing was applied
   */
  void append(int partition, List<KeyValue> records);

  /** Calls {@code visitor} with every record of the partition, oldest first. */
  void replay(int partition, RecordVisitor visitor);

  @FunctionalInterface
  interface RecordVisitor {
    void visit(ByteBuffer key, ByteBuffer valueOrNull);
  }
}
