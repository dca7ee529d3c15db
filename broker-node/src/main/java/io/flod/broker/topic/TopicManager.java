package io.flod.broker.topic;

import io.flod.broker.config.BrokerConfig;
import io.flod.broker.config.TopicConfigs;
import io.flod.broker.metadata.TopicMetadata;
import io.flod.broker.metadata.TopicRegistry;
import io.flod.broker.partition.PartitionManager;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntSupplier;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.internals.Topic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Topic administration on this broker: validates a request completely before changing anything,
 * then records the change in the {@link TopicRegistry} and opens or removes partition logs. The
 * errors are Kafka's own exception types, so request handlers map them to error codes directly.
 */
public final class TopicManager {
  private static final Logger log = LoggerFactory.getLogger(TopicManager.class);

  /** A change to one topic config, as IncrementalAlterConfigs carries it. */
  public enum ConfigOp {
    SET,
    DELETE,
    APPEND,
    SUBTRACT
  }

  public record ConfigChange(String name, ConfigOp op, String value) {}

  private final TopicRegistry registry;
  private final PartitionManager partitions;
  private final TopicConfigs topicConfigs;
  private final IntSupplier liveBrokers;

  public TopicManager(
      TopicRegistry registry,
      PartitionManager partitions,
      TopicConfigs topicConfigs,
      IntSupplier liveBrokers) {
    this.registry = registry;
    this.partitions = partitions;
    this.topicConfigs = topicConfigs;
    this.liveBrokers = liveBrokers;
  }

  public TopicConfigs topicConfigs() {
    return topicConfigs;
  }

  /**
   * Creates a topic; {@code partitionCount} or {@code replicationFactor} of -1 take the broker's
   * defaults. With {@code validateOnly} it checks and returns the topic it would create.
   */
  public TopicMetadata create(
      String name,
      int partitionCount,
      short replicationFactor,
      Map<String, String> configs,
      boolean validateOnly) {
    Topic.validate(name);
    BrokerConfig broker = topicConfigs.brokerConfig();
    int partitionsWanted =
        partitionCount == -1 ? broker.getInt(BrokerConfig.NUM_PARTITIONS) : partitionCount;
    short replicas =
        replicationFactor == -1
            ? broker.getShort(BrokerConfig.DEFAULT_REPLICATION_FACTOR)
            : replicationFactor;
    if (partitionsWanted <= 0) {
      throw new InvalidPartitionsException("Number of partitions must be larger than 0.");
    }
    checkPartitionLimit(partitionsWanted);
    if (replicas <= 0) {
      throw new InvalidReplicationFactorException("Replication factor must be larger than 0.");
    }
    int available = liveBrokers.getAsInt();
    if (replicas > available) {
      throw new InvalidReplicationFactorException(
          "Replication factor: " + replicas + " larger than available brokers: " + available + ".");
    }
    validateConfigs(configs);
    TopicMetadata topic =
        new TopicMetadata(name, Uuid.randomUuid(), partitionsWanted, replicas, configs);
    if (registry.byName(name).isPresent()) {
      throw new org.apache.kafka.common.errors.TopicExistsException(
          "Topic '" + name + "' already exists.");
    }
    if (!validateOnly) {
      registry.create(topic);
      partitions.ensurePartitions(topic);
      log.info(
          "topic={} id={} created with {} partitions, replication factor {}, configs {}",
          name,
          topic.topicId(),
          partitionsWanted,
          replicas,
          configs);
    }
    return topic;
  }

  public TopicMetadata delete(String name) {
    TopicMetadata topic = require(name);
    refuseInternal(name);
    registry.delete(name);
    partitions.removeTopic(topic);
    log.info("topic={} id={} deleted", name, topic.topicId());
    return topic;
  }

  public void createPartitions(String name, int newCount, boolean validateOnly) {
    TopicMetadata topic = require(name);
    refuseInternal(name);
    if (newCount < topic.partitionCount()) {
      throw new InvalidPartitionsException(
          "Topic currently has "
              + topic.partitionCount()
              + " partitions, which is higher than the requested "
              + newCount
              + ".");
    }
    if (newCount == topic.partitionCount()) {
      throw new InvalidPartitionsException("Topic already has " + newCount + " partitions.");
    }
    checkPartitionLimit(newCount);
    if (!validateOnly) {
      TopicMetadata grown = topic.withPartitionCount(newCount);
      registry.update(grown);
      partitions.ensurePartitions(grown);
      log.info(
          "topic={} partitions increased from {} to {}", name, topic.partitionCount(), newCount);
    }
  }

  public void alterConfigs(String name, Iterable<ConfigChange> changes, boolean validateOnly) {
    TopicMetadata topic = require(name);
    refuseInternal(name);
    Map<String, String> overrides = new HashMap<>(topic.configOverrides());
    for (ConfigChange change : changes) {
      if (!topicConfigs.keys().containsKey(change.name())) {
        throw new InvalidConfigurationException("Unknown topic config name: " + change.name());
      }
      switch (change.op()) {
        case SET -> overrides.put(change.name(), change.value());
        case DELETE -> overrides.remove(change.name());
        case APPEND, SUBTRACT ->
            throw new InvalidRequestException(
                "APPEND and SUBTRACT apply to list configs only; "
                    + change.name()
                    + " is not one.");
      }
    }
    validateConfigs(overrides);
    if (!validateOnly) {
      TopicMetadata altered = topic.withConfigOverrides(overrides);
      registry.update(altered);
      partitions.updateConfig(altered);
      log.info("topic={} configs now {}", name, overrides);
    }
  }

  public Optional<TopicMetadata> find(String name) {
    return registry.byName(name);
  }

  private void checkPartitionLimit(int count) {
    int max = topicConfigs.brokerConfig().getInt(BrokerConfig.MAX_PARTITIONS_PER_TOPIC);
    if (count > max) {
      throw new InvalidPartitionsException(
          "A topic may have at most "
              + max
              + " partitions (max.partitions.per.topic); asked for "
              + count
              + ".");
    }
  }

  /** Internal topics (consumer offsets) belong to the broker; clients may read, not change them. */
  private static void refuseInternal(String name) {
    if (Topic.isInternal(name)) {
      throw new InvalidTopicException(
          "Topic '" + name + "' is internal to the broker and cannot be changed.");
    }
  }

  private TopicMetadata require(String name) {
    return registry
        .byName(name)
        .orElseThrow(
            () -> new UnknownTopicOrPartitionException("Topic '" + name + "' does not exist."));
  }

  private void validateConfigs(Map<String, String> configs) {
    try {
      topicConfigs.resolve(configs);
    } catch (ConfigException e) {
      throw new InvalidConfigurationException(e.getMessage());
    }
  }
}
