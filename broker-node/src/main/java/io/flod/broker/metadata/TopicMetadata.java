package io.flod.broker.metadata;

import java.util.Map;
import org.apache.kafka.common.Uuid;

/** A topic as clients see it: name, id, partition count, replication factor, config overrides. */
public record TopicMetadata(
    String name,
    Uuid topicId,
    int partitionCount,
    short replicationFactor,
    Map<String, String> configOverrides) {

  public TopicMetadata {
    configOverrides = Map.copyOf(configOverrides);
  }

  public TopicMetadata withPartitionCount(int count) {
    return new TopicMetadata(name, topicId, count, replicationFactor, configOverrides);
  }

  public TopicMetadata withConfigOverrides(Map<String, String> overrides) {
    return new TopicMetadata(name, topicId, partitionCount, replicationFactor, overrides);
  }
}
