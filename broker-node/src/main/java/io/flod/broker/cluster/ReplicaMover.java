package io.flod.broker.cluster;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.helix.HelixDataAccessor;
import org.apache.helix.HelixManager;
import org.apache.helix.PropertyKey;
import org.apache.helix.model.IdealState;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves replicas when brokers join or drain, one compare-and-set step at a time so that a
 * controller that dies mid-move leaves a state the next one simply continues:
 *
 * <ol>
 *   <li>start: the new replicas join the assignment (outside the ISR; their leader sends them data
 *       under the move throttle) and the replicas to remove stay, so the partition never has fewer
 *       copies than before;
 *   <li>once every new replica is in the ISR, leadership moves off a replica being removed (a new
 *       epoch, chosen from the ISR like any election);
 *   <li>then the old replicas leave the assignment and the ISR; Helix drops them and they delete
 *       their data.
 * </ol>
 *
 * At most {@link #MAX_CONCURRENT_MOVES} partitions move at once; which ones, {@link
 * ReplicaBalancer} decides.
 */
final class ReplicaMover {
  private static final Logger log = LoggerFactory.getLogger(ReplicaMover.class);
  static final int MAX_CONCURRENT_MOVES = 4;

  private final String cluster;
  private final HelixManager manager;
  private final PartitionStateStore states;

  ReplicaMover(String cluster, HelixManager manager) {
    this.cluster = cluster;
    this.manager = manager;
    this.states = new PartitionStateStore(manager.getHelixPropertyStore());
  }

  /** Every partition state of the cluster. */
  List<PartitionState> allStates() {
    HelixDataAccessor accessor = manager.getHelixDataAccessor();
    PropertyKey.Builder keys = accessor.keyBuilder();
    List<PartitionState> all = new ArrayList<>();
    for (String resource : accessor.getChildNames(keys.idealStates())) {
      IdealState idealState = accessor.getProperty(keys.idealStates(resource));
      if (idealState == null
          || !ClusterPaths.STATE_MODEL.equals(idealState.getStateModelDefRef())) {
        continue;
      }
      for (int p = 0; p < idealState.getNumPartitions(); p++) {
        states.read(new TopicPartition(resource, p)).ifPresent(all::add);
      }
    }
    return all;
  }

  void run() {
    Snapshot now = snapshot();
    for (PartitionState state : now.moving()) {
      advance(state, now.roster());
    }
    if (now.moving().size() >= MAX_CONCURRENT_MOVES) {
      return;
    }
    Map<TopicPartition, List<Integer>> plan = now.plan(MAX_CONCURRENT_MOVES - now.moving().size());
    for (Map.Entry<TopicPartition, List<Integer>> move : plan.entrySet()) {
      PartitionState state = states.read(move.getKey()).orElse(null);
      if (state == null
          || state.moving()
          || !state.replicas().equals(now.movable().get(move.getKey()))) {
        continue; // changed since we looked: the next pass plans again
      }
      PartitionState started = state.startMove(move.getValue());
      if (states.compareAndSet(started)) {
        log.info(
            "cluster={} partition={} move started: replicas {} -> {} (adding {}, removing {})",
            cluster,
            state.topicPartition(),
            state.replicas(),
            move.getValue(),
            started.adding(),
            started.removing());
      }
    }
  }

  /**
   * Moves in progress, and how many more the balancer would start if nothing were moving: both zero
   * means the placement has reached its fixed point (a scale operation is really over only then;
   * between two batches of moves nothing is in flight, yet more are to come).
   */
  MoveStatus status() {
    Snapshot now = snapshot();
    List<PartitionMove> inFlight = new ArrayList<>(now.moving().size());
    for (PartitionState state : now.moving()) {
      inFlight.add(
          new PartitionMove(
              state.topicPartition(),
              state.replicas(),
              state.adding(),
              state.removing(),
              states.readMoveProgress(state.topicPartition())));
    }
    return new MoveStatus(inFlight, now.plan(Integer.MAX_VALUE).size());
  }

  private Snapshot snapshot() {
    BrokerRoster roster = BrokerRoster.read(manager.getHelixDataAccessor());
    List<PartitionState> moving = new ArrayList<>();
    Map<TopicPartition, List<Integer>> movable = new HashMap<>();
    Map<Integer, Integer> load = new HashMap<>();
    for (PartitionState state : allStates()) {
      for (int replica : state.target()) {
        load.merge(replica, 1, Integer::sum);
      }
      if (state.moving()) {
        moving.add(state);
      } else if (state.hasLeader()) {
        movable.put(state.topicPartition(), state.replicas());
      }
    }
    return new Snapshot(roster, moving, movable, load);
  }

  /** One read of the roster and of every partition state, the inputs of a balancer plan. */
  private record Snapshot(
      BrokerRoster roster,
      List<PartitionState> moving,
      Map<TopicPartition, List<Integer>> movable,
      Map<Integer, Integer> load) {
    Map<TopicPartition, List<Integer>> plan(int maxMoves) {
      return ReplicaBalancer.plan(
          roster.nodes(),
          roster.targets(),
          roster.draining(),
          movable,
          load,
          roster.healthy(),
          maxMoves);
    }
  }

  private void advance(PartitionState state, BrokerRoster roster) {
    TopicPartition tp = state.topicPartition();
    if (!state.hasLeader() || !state.isr().containsAll(state.adding())) {
      return; // the new replicas are still copying (or the elector must first find a leader)
    }
    List<Integer> target = state.target();
    if (!target.contains(state.leader())) {
      for (int candidate : target) {
        if (state.isr().contains(candidate)
            && roster.eligible().contains(candidate)
            && !state.lostIncarnation(candidate, roster.incarnations())) {
          if (states.compareAndSet(state.withLeader(candidate, state.isr()))) {
            log.info(
                "cluster={} partition={} leadership moves {} -> {} at epoch {} before the move"
                    + " completes",
                cluster,
                tp,
                state.leader(),
                candidate,
                state.leaderEpoch() + 1);
          }
          return;
        }
      }
      return;
    }
    PartitionState done = state.completeMove();
    if (states.compareAndSet(done)) {
      states.deleteMoveProgress(tp);
      log.info(
          "cluster={} partition={} move completed: replicas {}, isr {}",
          cluster,
          tp,
          done.replicas(),
          done.isr());
    }
  }
}
