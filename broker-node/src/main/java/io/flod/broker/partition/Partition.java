package io.flod.broker.partition;

import io.flod.broker.log.LogAppendResult;
import io.flod.broker.log.LogReadResult;
import io.flod.broker.log.PartitionLog;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * One replica of a partition on this broker: its log, and its role. A standalone broker is the
 * leader of every partition with leader epoch 0 and an in-sync set of one, so the high watermark
 * follows the log end. Replication replaces {@link #advanceHighWatermarkAfterAppend} with the
 * in-sync replicas' progress.
 */
public final class Partition {
  private final TopicPartition topicPartition;
  private final PartitionLog log;
  private final int leaderEpoch;
  private final HighWatermarkListener listener;

  Partition(
      TopicPartition topicPartition,
      PartitionLog log,
      int leaderEpoch,
      HighWatermarkListener listener) {
    this.topicPartition = topicPartition;
    this.log = log;
    this.leaderEpoch = leaderEpoch;
    this.listener = listener;
  }

  public TopicPartition topicPartition() {
    return topicPartition;
  }

  public PartitionLog log() {
    return log;
  }

  public int leaderEpoch() {
    return leaderEpoch;
  }

  public LogAppendResult appendAsLeader(MemoryRecords records) {
    LogAppendResult result = log.appendAsLeader(records, leaderEpoch);
    if (!result.duplicate()) {
      advanceHighWatermarkAfterAppend(result.sizeInBytes());
    }
    return result;
  }

  private void advanceHighWatermarkAfterAppend(int bytes) {
    if (log.updateHighWatermark(log.logEndOffset())) {
      listener.highWatermarkAdvanced(topicPartition, bytes);
    }
  }

  public LogReadResult read(long offset, int maxBytes, boolean minOneBatch) {
    return log.read(offset, maxBytes, minOneBatch);
  }
}
