package io.flod.broker.group;

import io.flod.broker.metadata.TopicMetadata;
import io.flod.broker.partition.Partition;
import io.flod.broker.partition.PartitionManager;
import io.flod.broker.topic.TopicManager;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.CoordinatorNotAvailableException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * {@code __consumer_offsets}: the internal topic where the coordinator keeps group state, written
 * and read through the same partition logs as user data, so it is replicated like any partition
 * once replication exists. Retention by time and size is off for it: a committed offset lives until
 * it is overwritten, deleted or expired by the coordinator.
 */
public final class OffsetsTopic implements GroupStateLog {
  public static final String NAME = "__consumer_offsets";
  private final PartitionManager partitions;
  private final int partitionCount;

  private OffsetsTopic(PartitionManager partitions, int partitionCount) {
    this.partitions = partitions;
    this.partitionCount = partitionCount;
  }

  /** Creates the topic on first start; its partition count is fixed from then on. */
  public static OffsetsTopic ensure(
      TopicManager topics, PartitionManager partitions, GroupConfig config) {
    TopicMetadata topic =
        topics
            .find(NAME)
            .orElseGet(
                () ->
                    topics.create(
                        NAME,
                        config.offsetsTopicPartitions(),
                        (short) 1,
                        Map.of(
                            "cleanup.policy",
                            "compact",
                            "retention.ms",
                            "-1",
                            "retention.bytes",
                            "-1",
                            "segment.index.bytes",
                            Integer.toString(1 << 20),
                            "segment.bytes",
                            Integer.toString(config.offsetsTopicSegmentBytes())),
                        false));
    return new OffsetsTopic(partitions, topic.partitionCount());
  }

  @Override
  public int partitionCount() {
    return partitionCount;
  }

  @Override
  public void append(int partition, List<KeyValue> records) {
    SimpleRecord[] simple = new SimpleRecord[records.size()];
    long now = System.currentTimeMillis();
    for (int i = 0; i < simple.length; i++) {
      simple[i] = new SimpleRecord(now, records.get(i).key(), records.get(i).value());
    }
    partition(partition)
        .appendAsLeader(MemoryRecords.withRecords(Compression.NONE, simple), (short) 1);
  }

  @Override
  public void replay(int partition, RecordVisitor visitor) {
    Partition p = partition(partition);
    p.log()
        .forEachBatch(
            p.log().logStartOffset(),
            batch -> {
              for (Record record : batch) {
                ByteBuffer key = record.key();
                if (key != null) {
                  visitor.visit(key, record.value());
                }
              }
            });
  }

  private Partition partition(int partition) {
    return partitions
        .get(new TopicPartition(NAME, partition))
        .orElseThrow(
            () ->
                new CoordinatorNotAvailableException(
                    "offsets partition " + partition + " is not here"));
  }
}
