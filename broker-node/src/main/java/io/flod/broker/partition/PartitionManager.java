package io.flod.broker.partition;

import io.flod.broker.config.TopicConfigs;
import io.flod.broker.log.LogConfig;
import io.flod.broker.log.LogManager;
import io.flod.broker.metadata.TopicMetadata;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The partition replicas hosted by this broker, opened from and kept in step with the topics. */
public final class PartitionManager {
  private static final Logger log = LoggerFactory.getLogger(PartitionManager.class);
  private final LogManager logManager;
  private final TopicConfigs topicConfigs;
  private final HighWatermarkListener consumerWakeups;
  private final HighWatermarkListener replicaWakeups;
  private final ScheduledExecutorService scheduler;
  private final int localNodeId;
  private final boolean standalone;
  private final Map<TopicPartition, Partition> partitions = new ConcurrentHashMap<>();

  /**
   * @param standalone this broker is the whole cluster: it opens every partition of every topic and
   *     leads it. Otherwise Helix decides which replicas live here ({@link #open}).
   */
  public PartitionManager(
      LogManager logManager,
      TopicConfigs topicConfigs,
      HighWatermarkListener consumerWakeups,
      HighWatermarkListener replicaWakeups,
      ScheduledExecutorService scheduler,
      int localNodeId,
      boolean standalone) {
    this.logManager = logManager;
    this.topicConfigs = topicConfigs;
    this.consumerWakeups = consumerWakeups;
    this.replicaWakeups = replicaWakeups;
    this.scheduler = scheduler;
    this.localNodeId = localNodeId;
    this.standalone = standalone;
  }

  public boolean standalone() {
    return standalone;
  }

  public int localNodeId() {
    return localNodeId;
  }

  /** Opens (creating if needed) the local replica of {@code tp}, in no role yet. */
  public Partition open(TopicPartition tp, Map<String, String> configOverrides) {
    LogConfig config = topicConfigs.resolve(configOverrides);
    return partitions.computeIfAbsent(tp, key -> newPartition(key, config));
  }

  private Partition newPartition(TopicPartition tp, LogConfig config) {
    return new Partition(
        tp,
        logManager.getOrCreate(tp, config),
        localNodeId,
        consumerWakeups,
        replicaWakeups,
        scheduler);
  }

  /** Closes the local replica of {@code tp} and, with {@code delete}, removes its data. */
  public void close(TopicPartition tp, boolean delete) {
    Partition partition = partitions.remove(tp);
    if (partition != null) {
      partition.makeFollower(partition.leaderEpoch());
    }
    if (delete) {
      logManager.delete(tp);
    }
  }

  public Collection<Partition> all() {
    return partitions.values();
  }

  /** Opens every partition of {@code topics} and removes directories of topics that are gone. */
  public void loadAll(Collection<TopicMetadata> topics) {
    if (!standalone) {
      return;
    }
    Set<TopicPartition> expected = new HashSet<>();
    for (TopicMetadata topic : topics) {
      ensurePartitions(topic);
      for (int p = 0; p < topic.partitionCount(); p++) {
        expected.add(new TopicPartition(topic.name(), p));
      }
    }
    for (TopicPartition orphan : logManager.partitionsOnDisk()) {
      if (!expected.contains(orphan)) {
        log.warn("partition={} has a log but no topic: deleting it", orphan);
        logManager.delete(orphan);
      }
    }
  }

  /** Opens (creating if needed) partitions 0..count-1 of {@code topic}. */
  public void ensurePartitions(TopicMetadata topic) {
    if (!standalone) {
      return;
    }
    LogConfig config = topicConfigs.resolve(topic.configOverrides());
    for (int p = 0; p < topic.partitionCount(); p++) {
      TopicPartition tp = new TopicPartition(topic.name(), p);
      partitions.computeIfAbsent(
          tp,
          key -> {
            Partition partition = newPartition(key, config);
            partition.makeLeader(0, List.of(localNodeId), List.of(localNodeId), null);
            return partition;
          });
    }
  }

  public void removeTopic(TopicMetadata topic) {
    for (int p = 0; p < topic.partitionCount(); p++) {
      close(new TopicPartition(topic.name(), p), true);
    }
  }

  public void updateConfig(TopicMetadata topic) {
    LogConfig config = topicConfigs.resolve(topic.configOverrides());
    for (int p = 0; p < topic.partitionCount(); p++) {
      get(new TopicPartition(topic.name(), p))
          .ifPresent(partition -> partition.log().updateConfig(config));
    }
  }

  /**
   * The local replica of partition {@code index} of {@code topic}.
   *
   * @throws UnknownTopicOrPartitionException the topic has no such partition
   * @throws NotLeaderOrFollowerException the partition exists but has no replica here (the client's
   *     metadata is stale)
   */
  public Partition hosted(TopicMetadata topic, int index) {
    Partition partition = partitions.get(new TopicPartition(topic.name(), index));
    if (partition != null) {
      return partition;
    }
    if (index < 0 || index >= topic.partitionCount()) {
      throw new UnknownTopicOrPartitionException("This server does not host this topic-partition.");
    }
    throw new NotLeaderOrFollowerException(
        "node " + localNodeId + " has no replica of " + topic.name() + "-" + index);
  }

  public Optional<Partition> get(TopicPartition tp) {
    return Optional.ofNullable(partitions.get(tp));
  }
}
