package io.flod.controlplane.cluster;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which silent node of a cluster may be replaced now, and, when healing waits, why. Pure: the
 * reconciler gathers what it observed and acts on the answer. Replacing destroys a machine and its
 * disk, so it is make-before-break and bounded (ARCHITECTURE.md, "heal"):
 *
 * <ol>
 *   <li>A machine that exists but does not run (its process died, its host stopped) is never
 *       destroyed: it is started again in place on its own disk, like any stopped machine.
 *   <li>When more than half of the cluster's nodes are silent at once, that is a network partition
 *       or an outage, not dead machines: nothing is replaced, the reason is reported, healing
 *       waits.
 *   <li>When the partitions' replica states cannot be read (ZooKeeper unreachable), nothing is
 *       replaced: nobody can tell which machine holds the last in-sync copy.
 *   <li>At most one node of a cluster is replaced at a time: while any node is being made (its
 *       machine missing or terminating, as right after a replacement destroyed it, also when the
 *       control plane restarted in between) or is not silent but not live yet (a replacement
 *       booting, a broker restarting), no other is replaced.
 *   <li>A node is replaced only if every partition it is in sync for has another in-sync replica
 *       that is live and not silent; a node holding the last in-sync copy of anything waits for its
 *       machine to come back. A partition with an empty ISR counts as held by all its replicas.
 * </ol>
 *
 * Among the silent nodes that pass, the one with the lowest broker id is replaced.
 */
public final class HealingPlan {
  private HealingPlan() {}

  /** How a machine is, as the provider reports it. */
  public enum MachineState {
    /** Exists and runs (or is being made): silent means hung or cut off. */
    RUNNING,
    /** Exists and does not run: started again in place, never replaced. */
    STOPPED,
    /** Not there (yet) or terminating: being made, or made again after a replacement. */
    MISSING
  }

  /**
   * One node the spec asks for that has a machine.
   *
   * @param silent its agent was not heard from past the grace period (or never registered within
   *     the registration timeout)
   * @param quiet its agent was not heard from for half the grace period: a node about to turn
   *     silent, counted with the silent ones when telling a partition from a dead machine (in a
   *     partition every agent stops at once, and the first to cross the grace period must not look
   *     like the only dead one)
   * @param live its broker is a live, enabled member of the cluster
   */
  public record Node(
      String name,
      int brokerId,
      MachineState machine,
      boolean silent,
      boolean quiet,
      boolean live) {
    /** A node whose agent is quiet exactly when it is silent. */
    public Node(String name, int brokerId, MachineState machine, boolean silent, boolean live) {
      this(name, brokerId, machine, silent, silent, live);
    }
  }

  /** A partition's replicas and in-sync replicas, as ZooKeeper holds them. */
  public record Replicas(String partition, List<Integer> replicas, List<Integer> isr) {}

  /**
   * What to do now.
   *
   * @param replace the node whose machine is replaced now, or null
   * @param restartInPlace silent nodes whose stopped machine is started again on its disk
   * @param waiting why a silent node is not replaced now (null when none waits)
   * @param paused true when the whole cluster's healing is paused (partition, outage, unreadable
   *     state), not just one node's
   */
  public record Decision(
      String replace, List<String> restartInPlace, String waiting, boolean paused) {}

  /**
   * @param nodes the cluster's desired nodes that have a machine
   * @param replicas every partition's replica state, or null when it cannot be read
   * @param unreadableCause why the replica states cannot be read (used when {@code replicas} is
   *     null)
   */
  public static Decision decide(List<Node> nodes, List<Replicas> replicas, String unreadableCause) {
    return decide(nodes, replicas, unreadableCause, false);
  }

  /**
   * As {@link #decide(List, List, String)}; {@code justStarted}: the control plane started less
   * than a grace period ago, so a node may look silent only because its heartbeats went to the
   * instance that stopped (a control plane killed mid-heal): nothing is replaced yet.
   */
  public static Decision decide(
      List<Node> nodes, List<Replicas> replicas, String unreadableCause, boolean justStarted) {
    List<Node> sorted = new ArrayList<>(nodes);
    sorted.sort(Comparator.comparingInt(Node::brokerId));
    List<Node> silent =
        sorted.stream()
            .filter(n -> n.silent() && !n.live() && n.machine() != MachineState.MISSING)
            .toList();
    List<String> restart =
        silent.stream().filter(n -> n.machine() == MachineState.STOPPED).map(Node::name).toList();
    List<Node> candidates =
        silent.stream().filter(n -> n.machine() == MachineState.RUNNING).toList();
    if (silent.isEmpty()) {
      return new Decision(null, List.of(), null, false);
    }
    long quiet =
        sorted.stream()
            .filter(n -> (n.silent() || n.quiet()) && n.machine() != MachineState.MISSING)
            .count();
    if (quiet * 2 > sorted.size()) {
      return new Decision(
          null,
          restart,
          "healing paused: "
              + quiet
              + " of "
              + sorted.size()
              + " nodes silent, treating as a network partition or outage",
          true);
    }
    if (candidates.isEmpty()) {
      return new Decision(null, restart, null, false);
    }
    if (justStarted) {
      return new Decision(
          null,
          restart,
          "healing waits: "
              + names(candidates)
              + " silent, but the control plane started less than a grace period ago and is"
              + " still hearing from the agents",
          false);
    }
    if (replicas == null) {
      return new Decision(
          null,
          restart,
          "healing paused: replica states cannot be read ("
              + unreadableCause
              + "), so no machine is replaced",
          true);
    }
    List<String> starting =
        sorted.stream()
            .filter(n -> n.machine() == MachineState.MISSING || (!n.silent() && !n.live()))
            .map(Node::name)
            .toList();
    if (!starting.isEmpty()) {
      return new Decision(
          null,
          restart,
          "healing waits: "
              + names(candidates)
              + " silent, not replaced while "
              + String.join(", ", starting)
              + " is not live yet (one node at a time)",
          false);
    }
    Set<Integer> healthy = new TreeSet<>();
    sorted.stream().filter(n -> n.live() && !n.silent()).forEach(n -> healthy.add(n.brokerId()));
    List<String> held = new ArrayList<>();
    for (Node candidate : candidates) {
      String lastCopy = lastCopyHeldBy(candidate.brokerId(), replicas, healthy);
      if (lastCopy == null) {
        return new Decision(
            candidate.name(),
            restart,
            held.isEmpty() ? null : "healing waits: " + String.join("; ", held),
            false);
      }
      held.add(
          candidate.name()
              + " holds the last in-sync copy of "
              + lastCopy
              + ", so its machine is kept until it is back");
    }
    return new Decision(null, restart, "healing waits: " + String.join("; ", held), false);
  }

  /**
   * A partition (named, plus how many more) of which {@code brokerId} holds the last in-sync copy:
   * no other in-sync replica is healthy. Null when there is none.
   */
  static String lastCopyHeldBy(int brokerId, List<Replicas> replicas, Set<Integer> healthy) {
    List<String> held = new ArrayList<>();
    for (Replicas p : replicas) {
      boolean inSync =
          p.isr().isEmpty() ? p.replicas().contains(brokerId) : p.isr().contains(brokerId);
      if (!inSync) {
        continue;
      }
      boolean another =
          p.isr().stream().anyMatch(other -> other != brokerId && healthy.contains(other));
      if (!another) {
        held.add(p.partition());
      }
    }
    if (held.isEmpty()) {
      return null;
    }
    held.sort(null);
    return held.size() == 1
        ? held.get(0)
        : held.get(0) + " and " + (held.size() - 1) + " more partitions";
  }

  private static String names(List<Node> nodes) {
    return String.join(", ", nodes.stream().map(Node::name).toList());
  }
}
