package io.flod.broker.group;

import io.flod.broker.config.BrokerConfig;

/** The group coordinator's settings, read once from the broker config. */
public record GroupConfig(
    int minSessionTimeoutMs,
    int maxSessionTimeoutMs,
    int initialRebalanceDelayMs,
    int maxGroupSize,
    int maxGroupIdLength,
    int maxGroupsPerTopic,
    int offsetMetadataMaxBytes,
    long offsetsRetentionMs,
    long offsetsRetentionCheckIntervalMs,
    int offsetsTopicPartitions,
    int offsetsTopicSegmentBytes,
    short offsetsTopicReplicationFactor) {

  public static GroupConfig from(BrokerConfig config) {
    return new GroupConfig(
        config.getInt(BrokerConfig.GROUP_MIN_SESSION_TIMEOUT_MS),
        config.getInt(BrokerConfig.GROUP_MAX_SESSION_TIMEOUT_MS),
        config.getInt(BrokerConfig.GROUP_INITIAL_REBALANCE_DELAY_MS),
        config.getInt(BrokerConfig.GROUP_MAX_SIZE),
        config.getInt(BrokerConfig.GROUP_ID_MAX_LENGTH),
        config.getInt(BrokerConfig.CONSUMER_GROUPS_PER_TOPIC_MAX),
        config.getInt(BrokerConfig.OFFSET_METADATA_MAX_BYTES),
        config.getInt(BrokerConfig.OFFSETS_RETENTION_MINUTES) * 60_000L,
        config.getLong(BrokerConfig.OFFSETS_RETENTION_CHECK_INTERVAL_MS),
        config.getInt(BrokerConfig.OFFSETS_TOPIC_NUM_PARTITIONS),
        config.getInt(BrokerConfig.OFFSETS_TOPIC_SEGMENT_BYTES),
        config.getShort(BrokerConfig.OFFSETS_TOPIC_REPLICATION_FACTOR));
  }
}
