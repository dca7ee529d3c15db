package io.flod.broker.faults;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * A seeded list of faults: the same seed, kinds and count give the same kinds, targets and
 * durations (the cluster's own timing still varies, so a replay reproduces the schedule, not every
 * interleaving). The seed is printed by every run; {@code -Dfaults.seed=N} replays it.
 */
public final class FaultSchedule {
  /** The faults the harness injects on a broker cluster. */
  public enum Kind {
    /** SIGKILL a partition's leader, start it again after the hold. */
    KILL_LEADER,
    /** SIGKILL a random broker, start it again after the hold. */
    KILL_BROKER,
    /** SIGSTOP a partition's leader for the hold (a GC or clock pause), then SIGCONT. */
    PAUSE_LEADER,
    /** SIGTERM a random broker and start it again at once. */
    RESTART_BROKER,
    /** Cut replication between a partition's leader and its followers; clients reach everyone. */
    PARTITION_LEADER_FROM_FOLLOWERS,
    /** Cut one broker from ZooKeeper only. */
    PARTITION_BROKER_FROM_ZOOKEEPER,
    /** Cut ZooKeeper from every broker and the controller. */
    PARTITION_ZOOKEEPER,
    /** Delay every byte to and from a partition leader's listener. */
    SLOW_LEADER_LINK,
    /** Fill a partition leader's data disk, free it after the hold. */
    FILL_LEADER_DISK
  }

  /**
   * One fault: its kind, a seeded number the runner turns into a target (a partition whose leader
   * is hit, or a broker), and how long it holds.
   */
  public record Fault(int index, Kind kind, int target, long holdMs) {}

  private FaultSchedule() {}

  /** {@code count} faults drawn from {@code kinds} with holds in [minHoldMs, maxHoldMs]. */
  public static List<Fault> generate(
      long seed, int count, Set<Kind> kinds, long minHoldMs, long maxHoldMs) {
    Random random = new Random(seed);
    List<Kind> choices = List.copyOf(new java.util.TreeSet<>(kinds));
    List<Fault> faults = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Kind kind = choices.get(random.nextInt(choices.size()));
      int target = random.nextInt(1 << 16);
      long hold = minHoldMs + (long) (random.nextDouble() * (maxHoldMs - minHoldMs));
      faults.add(new Fault(i, kind, target, hold));
    }
    return faults;
  }

  /** The seed of this run: {@code -Dfaults.seed} to replay one, else {@code fallback}. */
  public static long seed(long fallback) {
    String replay = System.getProperty("faults.seed");
    return replay == null || replay.isBlank() ? fallback : Long.parseLong(replay.trim());
  }
}
