package io.flod.broker.group;

import io.flod.broker.log.LogAppendResult;
import io.flod.broker.metadata.TopicMetadata;
import io.flod.broker.partition.Partition;
import io.flod.broker.partition.PartitionManager;
import io.flod.broker.topic.TopicManager;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.CoordinatorNotAvailableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code __consumer_offsets}: the internal topic where the coordinator keeps group state, written
 * and read through the same partition logs as user data, so in cluster mode it is replicated like
 * any partition and a group's coordinator is the leader of its partition. Retention by time and
 * size is off for it: a committed offset lives until it is overwritten, deleted or expired by the
 * coordinator.
 */
public final class OffsetsTopic implements GroupStateLog {
  public static final String NAME = "__consumer_offsets";
  private static final Logger log = LoggerFactory.getLogger(OffsetsTopic.class);
  private static final long REPLICATION_TIMEOUT_MS = 10_000;

  private final TopicManager topics;
  private final PartitionManager partitions;
  private final GroupConfig config;
  private final short acks;
  private final IntSupplier liveBrokers;

  private OffsetsTopic(
      TopicManager topics,
      PartitionManager partitions,
      GroupConfig config,
      short acks,
      IntSupplier liveBrokers) {
    this.topics = topics;
    this.partitions = partitions;
    this.config = config;
    this.acks = acks;
    this.liveBrokers = liveBrokers;
  }

  /** A standalone broker's: created on first start, its one replica the only copy. */
  public static OffsetsTopic ensure(
      TopicManager topics, PartitionManager partitions, GroupConfig config) {
    OffsetsTopic offsets = new OffsetsTopic(topics, partitions, config, (short) 1, () -> 1);
    offsets.ensureExists();
    return offsets;
  }

  /**
   * A cluster's: replicated like any topic, created on the first FindCoordinator (when brokers are
   * up, so that it gets its replicas), and every append waits until the ISR has it (acks=all), so a
   * committed offset survives the loss of the coordinator's broker.
   */
  public static OffsetsTopic replicated(
      TopicManager topics,
      PartitionManager partitions,
      GroupConfig config,
      IntSupplier liveBrokers) {
    return new OffsetsTopic(topics, partitions, config, (short) -1, liveBrokers);
  }

  /** Creates the topic if it does not exist yet; its partition count is fixed from then on. */
  public void ensureExists() {
    if (topics.find(NAME).isPresent()) {
      return;
    }
    short replicas =
        (short)
            Math.max(1, Math.min(config.offsetsTopicReplicationFactor(), liveBrokers.getAsInt()));
    Map<String, String> configs = new HashMap<>();
    configs.put("cleanup.policy", "compact");
    configs.put("retention.ms", "-1");
    configs.put("retention.bytes", "-1");
    configs.put("segment.index.bytes", Integer.toString(1 << 20));
    configs.put("segment.bytes", Integer.toString(config.offsetsTopicSegmentBytes()));
    configs.put("min.insync.replicas", Integer.toString(Math.min(2, replicas)));
    try {
      topics.create(NAME, config.offsetsTopicPartitions(), replicas, configs, false);
      log.info(
          "topic={} created: {} partitions, replication factor {}",
          NAME,
          config.offsetsTopicPartitions(),
          replicas);
    } catch (TopicExistsException e) {
      // another broker created it first
    }
  }

  @Override
  public int partitionCount() {
    return topics
        .find(NAME)
        .map(TopicMetadata::partitionCount)
        .orElse(config.offsetsTopicPartitions());
  }

  @Override
  public void append(int partition, List<KeyValue> records) {
    SimpleRecord[] simple = new SimpleRecord[records.size()];
    long now = System.currentTimeMillis();
    for (int i = 0; i < simple.length; i++) {
      simple[i] = new SimpleRecord(now, records.get(i).key(), records.get(i).value());
    }
    Partition target = partition(partition);
    LogAppendResult result =
        target.appendAsLeader(MemoryRecords.withRecords(Compression.NONE, simple), acks);
    if (acks == -1) {
      // Group operations are rare next to produce and fetch: a handler thread waits the
      // replication round trip rather than threading a future through the coordinator.
      Errors error = target.awaitReplication(result.lastOffset(), REPLICATION_TIMEOUT_MS).join();
      if (error != Errors.NONE) {
        throw error.exception("offsets partition " + partition + " not replicated: " + error);
      }
    }
  }

  @Override
  public void replay(int partition, RecordVisitor visitor) {
    Partition p = partition(partition);
    // To the log end, not the high watermark: a new leader's log is the truth, and its high
    // watermark may not yet have caught up with commits its predecessor acknowledged.
    p.log()
        .forEachBatch(
            p.log().logStartOffset(),
            p.log().logEndOffset(),
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
