package io.flod.broker.cluster;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.TopicPartition;

/**
 * The replication state of one partition as stored in ZooKeeper: its replicas (the first is the
 * preferred leader), the leader and its epoch, the in-sync replicas, and a move in progress (the
 * replicas being added and those to remove once the added ones are in sync; both empty when the
 * partition is not moving). {@code version} is the znode version it was read at; every change is a
 * compare-and-set against it, so a deposed leader or a stale controller cannot overwrite a newer
 * state.
 */
public record PartitionState(
    TopicPartition topicPartition,
    int leader,
    int leaderEpoch,
    List<Integer> replicas,
    List<Integer> isr,
    List<Integer> adding,
    List<Integer> removing,
    int version) {

  public static final int NO_LEADER = -1;

  public PartitionState {
    replicas = List.copyOf(replicas);
    isr = List.copyOf(isr);
    adding = List.copyOf(adding);
    removing = List.copyOf(removing);
  }

  /** A partition that is not moving. */
  public PartitionState(
      TopicPartition topicPartition,
      int leader,
      int leaderEpoch,
      List<Integer> replicas,
      List<Integer> isr,
      int version) {
    this(topicPartition, leader, leaderEpoch, replicas, isr, List.of(), List.of(), version);
  }

  public boolean hasLeader() {
    return leader != NO_LEADER;
  }

  public boolean moving() {
    return !adding.isEmpty() || !removing.isEmpty();
  }

  /** The replicas the partition will have once its move completes. */
  public List<Integer> target() {
    List<Integer> target = new ArrayList<>(replicas);
    target.removeAll(removing);
    return target;
  }

  public PartitionState withIsr(List<Integer> newIsr) {
    return new PartitionState(
        topicPartition, leader, leaderEpoch, replicas, newIsr, adding, removing, version);
  }

  /** A new leadership: the epoch moves on even when nobody can lead, so no old leader survives. */
  public PartitionState withLeader(int newLeader, List<Integer> newIsr) {
    return new PartitionState(
        topicPartition, newLeader, leaderEpoch + 1, replicas, newIsr, adding, removing, version);
  }

  /**
   * Starts moving to {@code target} (same size, in preferred-leader order): the new replicas join
   * the assignment at once, as followers outside the ISR, and the old ones stay until they are in
   * sync.
   */
  public PartitionState startMove(List<Integer> target) {
    List<Integer> add = new ArrayList<>(target);
    add.removeAll(replicas);
    List<Integer> remove = new ArrayList<>(replicas);
    remove.removeAll(target);
    List<Integer> all = new ArrayList<>(target);
    all.addAll(remove);
    return new PartitionState(topicPartition, leader, leaderEpoch, all, isr, add, remove, version);
  }

  /** Ends the move: only the target replicas remain, and the ISR keeps only them. */
  public PartitionState completeMove() {
    List<Integer> target = target();
    List<Integer> newIsr = new ArrayList<>(isr);
    newIsr.retainAll(target);
    return new PartitionState(
        topicPartition, leader, leaderEpoch, target, newIsr, List.of(), List.of(), version);
  }
}
