package io.flod.broker.cluster;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * The replication state of one partition as stored in ZooKeeper: its replicas (the first is the
 * preferred leader), the leader and its epoch, the in-sync replicas, and a move in progress (the
 * replicas being added and those to remove once the added ones are in sync; both empty when the
 * partition is not moving). {@code version} is the znode version it was read at; every change is a
 * compare-and-set against it, so a deposed leader or a stale controller cannot overwrite a newer
 * state.
 *
 * <p>{@code incarnations} names, for ISR members, the incarnation of the replica that was in sync:
 * the random id of the broker's data directory, made with it and lost with it ({@code
 * BrokerIncarnation}). A broker id alone is not enough: a broker restarted on an empty disk has the
 * same id, and electing it "from the ISR" would serve an empty log as if nothing had been written.
 * A member without a recorded incarnation (states written before incarnations existed) is taken on
 * its broker id.
 */
public record PartitionState(
    TopicPartition topicPartition,
    int leader,
    int leaderEpoch,
    List<Integer> replicas,
    List<Integer> isr,
    List<Integer> adding,
    List<Integer> removing,
    Map<Integer, String> incarnations,
    int version) {

  public static final int NO_LEADER = -1;

  public PartitionState {
    replicas = List.copyOf(replicas);
    isr = List.copyOf(isr);
    adding = List.copyOf(adding);
    removing = List.copyOf(removing);
    Map<Integer, String> kept = new HashMap<>(incarnations);
    kept.keySet().retainAll(isr);
    incarnations = Map.copyOf(kept);
  }

  public PartitionState(
      TopicPartition topicPartition,
      int leader,
      int leaderEpoch,
      List<Integer> replicas,
      List<Integer> isr,
      List<Integer> adding,
      List<Integer> removing,
      int version) {
    this(topicPartition, leader, leaderEpoch, replicas, isr, adding, removing, Map.of(), version);
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
        topicPartition,
        leader,
        leaderEpoch,
        replicas,
        newIsr,
        adding,
        removing,
        incarnations,
        version);
  }

  /** A new ISR whose members joining it are the given incarnations. */
  public PartitionState withIsr(List<Integer> newIsr, Map<Integer, String> joining) {
    Map<Integer, String> merged = new HashMap<>(incarnations);
    merged.putAll(joining);
    return new PartitionState(
        topicPartition, leader, leaderEpoch, replicas, newIsr, adding, removing, merged, version);
  }

  /** A new leadership: the epoch moves on even when nobody can lead, so no old leader survives. */
  public PartitionState withLeader(int newLeader, List<Integer> newIsr) {
    return new PartitionState(
        topicPartition,
        newLeader,
        leaderEpoch + 1,
        replicas,
        newIsr,
        adding,
        removing,
        incarnations,
        version);
  }

  /**
   * Whether ISR member {@code replica} is a different incarnation now than the one that was in sync
   * ({@code current}: each broker's incarnation as registered; unknown counts as the same).
   */
  public boolean lostIncarnation(int replica, Map<Integer, String> current) {
    String recorded = incarnations.get(replica);
    String now = current.get(replica);
    return recorded != null && now != null && !recorded.equals(now);
  }

  /** ISR members that are still the incarnation that was in sync. */
  public List<Integer> sameIncarnationIsr(Map<Integer, String> current) {
    List<Integer> kept = new ArrayList<>();
    for (int member : isr) {
      if (!lostIncarnation(member, current)) {
        kept.add(member);
      }
    }
    return kept;
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
    return new PartitionState(
        topicPartition, leader, leaderEpoch, all, isr, add, remove, incarnations, version);
  }

  /** Ends the move: only the target replicas remain, and the ISR keeps only them. */
  public PartitionState completeMove() {
    List<Integer> target = target();
    List<Integer> newIsr = new ArrayList<>(isr);
    newIsr.retainAll(target);
    return new PartitionState(
        topicPartition,
        leader,
        leaderEpoch,
        target,
        newIsr,
        List.of(),
        List.of(),
        incarnations,
        version);
  }
}
