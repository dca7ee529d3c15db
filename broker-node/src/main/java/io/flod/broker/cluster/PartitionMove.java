package io.flod.broker.cluster;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * A partition move in progress: its replicas (old and new), the ones being added and removed, and
 * how many bytes each added replica still has to copy as its leader last reported (empty until the
 * first report, about a second after the move starts).
 */
public record PartitionMove(
    TopicPartition topicPartition,
    List<Integer> replicas,
    List<Integer> adding,
    List<Integer> removing,
    Map<Integer, Long> bytesRemaining) {

  /** Bytes left to copy over all added replicas. */
  public long totalBytesRemaining() {
    return bytesRemaining.values().stream().mapToLong(Long::longValue).sum();
  }
}
