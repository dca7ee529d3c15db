package io.flod.broker.partition;

import org.apache.kafka.common.TopicPartition;

/** Told when new data becomes readable, so that waiting fetches can complete. */
@FunctionalInterface
public interface HighWatermarkListener {
  void highWatermarkAdvanced(TopicPartition topicPartition, int newBytes);
}
