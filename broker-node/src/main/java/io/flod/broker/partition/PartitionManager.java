package io.flod.broker.partition;

import io.flod.broker.config.TopicConfigs;
import io.flod.broker.log.LogConfig;
import io.flod.broker.log.LogManager;
import io.flod.broker.metadata.TopicMetadata;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The partition replicas hosted by this broker, opened from and kept in step with the topics. */
public final class PartitionManager {
  private static final Logger log = LoggerFactory.getLogger(PartitionManager.class);
  private final LogManager logManager;
  private final TopicConfigs topicConfigs;
  private final HighWatermarkListener listener;
  private final Map<TopicPartition, Partition> partitions = new ConcurrentHashMap<>();

  public PartitionManager(
      LogManager logManager, TopicConfigs topicConfigs, HighWatermarkListener listener) {
    this.logManager = logManager;
    this.topicConfigs = topicConfigs;
    this.listener = listener;
  }

  /** Opens every partition of {@code topics} and removes directories of topics that are gone. */
  public void loadAll(Collection<TopicMetadata> topics) {
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
    LogConfig config = topicConfigs.resolve(topic.configOverrides());
    for (int p = 0; p < topic.partitionCount(); p++) {
      TopicPartition tp = new TopicPartition(topic.name(), p);
      partitions.computeIfAbsent(
          tp, key -> new Partition(key, logManager.getOrCreate(key, config), 0, listener));
    }
  }

  public void removeTopic(TopicMetadata topic) {
    for (int p = 0; p < topic.partitionCount(); p++) {
      TopicPartition tp = new TopicPartition(topic.name(), p);
      partitions.remove(tp);
      logManager.delete(tp);
    }
  }

  public void updateConfig(TopicMetadata topic) {
    LogConfig config = topicConfigs.resolve(topic.configOverrides());
    for (int p = 0; p < topic.partitionCount(); p++) {
      get(new TopicPartition(topic.name(), p))
          .ifPresent(partition -> partition.log().updateConfig(config));
    }
  }

  public Optional<Partition> get(TopicPartition tp) {
    return Optional.ofNullable(partitions.get(tp));
  }
}
