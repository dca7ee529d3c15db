package io.flod.broker.cluster;

import java.util.List;
import org.apache.kafka.common.TopicPartition;

/**
 * The replication state of one partition as stored in ZooKeeper: its replicas (the first is the
 * preferred leader), the leader and its epoch, and the in-sync replicas. {@code version} is the
 * znode version it was read at; every change is a compare-and-set against it, so a deposed leader
 * or a stale controller cannot overwrite a newer state.
 */
public record PartitionState(
    TopicPartition topicPartition,
    int leader,
    int leaderEpoch,
    List<Integer> replicas,
    List<Integer> isr,
    int version) {

  public static final int NO_LEADER = -1;

  public PartitionState {
    replicas = List.copyOf(replicas);
    isr = List.copyOf(isr);
  }

  public boolean hasLeader() {
    return leader != NO_LEADER;
  }

  public PartitionState withIsr(List<Integer> newIsr) {
    return new PartitionState(topicPartition, leader, leaderEpoch, replicas, newIsr, version);
  }

  /** A new leadership: the epoch moves on even when nobody can lead, so no old leader survives. */
  public PartitionState withLeader(int newLeader, List<Integer> newIsr) {
    return new PartitionState(
        topicPartition, newLeader, leaderEpoch + 1, replicas, newIsr, version);
  }
}
