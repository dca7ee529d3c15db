package io.flod.broker.log;

import org.apache.kafka.common.record.TimestampType;

/**
 * The effective settings of one partition log: topic overrides resolved over broker defaults.
 * Immutable; a topic config change swaps in a new instance.
 *
 * <p>Flush policy and what it means for durability: with {@code flushMessages == 1} every append is
 * fsynced before it is acknowledged, so an acknowledged record survives a machine crash. With a
 * {@code flushMs} interval, records acknowledged in the last interval survive a process crash (they
 * are in the OS page cache) but may be lost in a power failure. The default leaves flushing to the
 * OS, as Kafka does, and relies on replication for durability.
 *
 * <p>{@code deleteRetentionMs}: how long compaction keeps a tombstone after it first sees it, so
 * that replicas and consumers that were away read the deletion.
 */
public record LogConfig(
    int segmentBytes,
    long segmentMs,
    long retentionMs,
    long retentionBytes,
    int maxMessageBytes,
    int indexIntervalBytes,
    int segmentIndexBytes,
    long flushMessages,
    long flushMs,
    TimestampType timestampType,
    long fileDeleteDelayMs,
    boolean compact,
    boolean deleteByRetention,
    int minInsyncReplicas,
    boolean uncleanLeaderElection,
    long deleteRetentionMs) {

  public static LogConfig defaults() {
    return new LogConfig(
        1 << 30,
        7L * 24 * 3600 * 1000,
        7L * 24 * 3600 * 1000,
        -1,
        1 << 20,
        4096,
        10 << 20,
        Long.MAX_VALUE,
        Long.MAX_VALUE,
        TimestampType.CREATE_TIME,
        60_000,
        false,
        true,
        1,
        false,
        24L * 3600 * 1000);
  }
}
