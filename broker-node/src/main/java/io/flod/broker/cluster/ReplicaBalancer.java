package io.flod.broker.cluster;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * Decides which partitions move where when brokers join or drain, moving as few replicas as it can:
 * a replica on a draining broker goes to the best remaining broker; otherwise, while some broker
 * holds two or more replicas more than another, one replica moves from the fullest to the emptiest,
 * provided the move adds no zone or update-domain clash. Each move swaps one broker for another at
 * the same position of the replica list, so a moved preferred leader stays preferred on its new
 * broker. The result is a fixed point: a balanced assignment plans nothing, so the controller can
 * run this on every pass.
 */
public final class ReplicaBalancer {
  private ReplicaBalancer() {}

  /**
   * New replica lists for the partitions that should move, at most {@code maxMoves} of them.
   *
   * @param nodes every registered broker, for its zone and update domain
   * @param targets brokers that may receive replicas (live, enabled, not draining)
   * @param draining brokers that must give all their replicas away
   * @param current replica lists of the partitions that may move now (not already moving)
   * @param load replicas per broker over all partitions, moving ones counted at their target
   * @param rebalance whether to even out load as well as drain (off while the cluster is degraded)
   */
  public static Map<TopicPartition, List<Integer>> plan(
      Map<Integer, ReplicaPlacer.Node> nodes,
      Set<Integer> targets,
      Set<Integer> draining,
      Map<TopicPartition, List<Integer>> current,
      Map<Integer, Integer> load,
      boolean rebalance,
      int maxMoves) {
    Map<Integer, Integer> loads = new HashMap<>(load);
    targets.forEach(t -> loads.putIfAbsent(t, 0));
    Map<TopicPartition, List<Integer>> planned = new LinkedHashMap<>();
    List<TopicPartition> order = new ArrayList<>(current.keySet());
    order.sort(
        Comparator.comparing(TopicPartition::topic).thenComparing(TopicPartition::partition));

    for (TopicPartition tp : order) {
      List<Integer> replicas = new ArrayList<>(current.get(tp));
      boolean changed = false;
      for (int i = 0; i < replicas.size() && planned.size() < maxMoves; i++) {
        int from = replicas.get(i);
        if (!draining.contains(from)) {
          continue;
        }
        Integer to = bestTarget(nodes, targets, replicas, i, loads);
        if (to == null) {
          continue; // nowhere to go: the replica stays until a broker can take it
        }
        replicas.set(i, to);
        loads.merge(from, -1, Integer::sum);
        loads.merge(to, 1, Integer::sum);
        changed = true;
      }
      if (changed) {
        planned.put(tp, List.copyOf(replicas));
      }
    }

    while (rebalance && planned.size() < maxMoves) {
      if (!moveOne(nodes, targets, current, planned, order, loads)) {
        break;
      }
    }
    return planned;
  }

  /** Moves one replica from a fuller broker to an emptier one; false if no move helps. */
  private static boolean moveOne(
      Map<Integer, ReplicaPlacer.Node> nodes,
      Set<Integer> targets,
      Map<TopicPartition, List<Integer>> current,
      Map<TopicPartition, List<Integer>> planned,
      List<TopicPartition> order,
      Map<Integer, Integer> loads) {
    List<Integer> byLoad = new ArrayList<>(targets);
    byLoad.sort(Comparator.comparing((Integer id) -> loads.get(id)).thenComparing(id -> id));
    for (int hi = byLoad.size() - 1; hi > 0; hi--) {
      int from = byLoad.get(hi);
      for (int lo = 0; lo < hi; lo++) {
        int to = byLoad.get(lo);
        if (loads.get(from) - loads.get(to) < 2) {
          break;
        }
        for (TopicPartition tp : order) {
          if (planned.containsKey(tp)) {
            continue;
          }
          List<Integer> replicas = current.get(tp);
          int i = replicas.indexOf(from);
          if (i < 0 || replicas.contains(to)) {
            continue;
          }
          if (clashes(nodes, replicas, i, to) > clashes(nodes, replicas, i, from)) {
            continue;
          }
          List<Integer> moved = new ArrayList<>(replicas);
          moved.set(i, to);
          planned.put(tp, List.copyOf(moved));
          loads.merge(from, -1, Integer::sum);
          loads.merge(to, 1, Integer::sum);
          return true;
        }
      }
    }
    return false;
  }

  /**
   * The target broker for position {@code i}: fewest clashes, then least loaded, then lowest id.
   */
  private static Integer bestTarget(
      Map<Integer, ReplicaPlacer.Node> nodes,
      Set<Integer> targets,
      List<Integer> replicas,
      int i,
      Map<Integer, Integer> loads) {
    Integer best = null;
    long bestScore = Long.MAX_VALUE;
    for (int candidate : targets) {
      if (replicas.contains(candidate)) {
        continue;
      }
      long score = ((long) clashes(nodes, replicas, i, candidate) << 32) + loads.get(candidate);
      if (score < bestScore || (score == bestScore && candidate < best)) {
        bestScore = score;
        best = candidate;
      }
    }
    return best;
  }

  /**
   * Zone clashes (weighted above update-domain clashes) that broker {@code candidate} at position
   * {@code i} would have with the partition's other replicas.
   */
  static int clashes(
      Map<Integer, ReplicaPlacer.Node> nodes, List<Integer> replicas, int i, int candidate) {
    ReplicaPlacer.Node node = node(nodes, candidate);
    int clashes = 0;
    for (int j = 0; j < replicas.size(); j++) {
      if (j == i) {
        continue;
      }
      ReplicaPlacer.Node other = node(nodes, replicas.get(j));
      if (other.faultZone().equals(node.faultZone())) {
        clashes += 1 << 10;
      }
      if (other.domain().equals(node.domain())) {
        clashes += 1;
      }
    }
    return clashes;
  }

  private static ReplicaPlacer.Node node(Map<Integer, ReplicaPlacer.Node> nodes, int id) {
    ReplicaPlacer.Node node = nodes.get(id);
    return node != null ? node : new ReplicaPlacer.Node(id, null, null);
  }
}
