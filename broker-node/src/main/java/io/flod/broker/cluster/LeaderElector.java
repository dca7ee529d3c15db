package io.flod.broker.cluster;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.helix.AccessOption;
import org.apache.helix.HelixDataAccessor;
import org.apache.helix.HelixManager;
import org.apache.helix.PropertyKey;
import org.apache.helix.model.IdealState;
import org.apache.helix.zookeeper.datamodel.ZNRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides who leads each partition, and tells Helix. Helix knows nothing of in-sync replicas, so
 * every topic is a CUSTOMIZED resource whose mapping this class computes from the partition states
 * in ZooKeeper: a leader is chosen only among live, enabled replicas in the ISR (unless the topic
 * allows unclean election), each new leadership gets the next epoch by compare-and-set before Helix
 * is asked to promote anyone, and with no eligible replica the partition stays leaderless. An ISR
 * member counts only as the incarnation that was in sync: a broker back on an emptied disk leaves
 * the ISR and is never elected from it (it catches up as a follower and rejoins). Helix then
 * delivers the state transitions and publishes the external view.
 *
 * <p>A pass is level-triggered: it looks at everything and fixes what differs, so it runs on every
 * membership change and on a timer, and a failed compare-and-set is simply retried next time.
 */
final class LeaderElector {
  private static final Logger log = LoggerFactory.getLogger(LeaderElector.class);

  private final String cluster;
  private final HelixManager manager;
  private final PartitionStateStore states;

  // What the last pass left without a leader, and why: read by the control plane's cluster view
  // and metrics without a ZooKeeper read.
  private volatile Map<TopicPartition, String> offline = Map.of();

  LeaderElector(String cluster, HelixManager manager) {
    this.cluster = cluster;
    this.manager = manager;
    this.states = new PartitionStateStore(manager.getHelixPropertyStore());
  }

  /** One pass over every topic; {@code preferLeaders} also moves leadership back home. */
  void run(boolean preferLeaders) {
    HelixDataAccessor accessor = manager.getHelixDataAccessor();
    PropertyKey.Builder keys = accessor.keyBuilder();
    BrokerRoster roster = BrokerRoster.read(accessor);
    Set<Integer> eligible = roster.eligible();
    Map<Integer, String> incarnations = roster.incarnations();
    Map<TopicPartition, String> leaderless = new java.util.TreeMap<>(BY_NAME);
    for (String resource : accessor.getChildNames(keys.idealStates())) {
      IdealState idealState = accessor.getProperty(keys.idealStates(resource));
      if (idealState == null
          || !ClusterPaths.STATE_MODEL.equals(idealState.getStateModelDefRef())) {
        continue;
      }
      try {
        electTopic(resource, idealState, eligible, incarnations, preferLeaders, leaderless);
      } catch (RuntimeException e) {
        // Not decided this time: what was known of the topic stands until a pass decides it.
        offline.forEach(
            (tp, reason) -> {
              if (tp.topic().equals(resource)) {
                leaderless.put(tp, reason);
              }
            });
        log.warn("cluster={} topic={} leader election pass failed; retrying", cluster, resource, e);
      }
    }
    offline = java.util.Collections.unmodifiableMap(leaderless);
  }

  private static final java.util.Comparator<TopicPartition> BY_NAME =
      java.util.Comparator.comparing(TopicPartition::topic)
          .thenComparingInt(TopicPartition::partition);

  /** The partitions the last pass left without a leader, with why, by topic and partition. */
  Map<TopicPartition, String> offline() {
    return offline;
  }

  /**
   * Why a partition has no leader, in words for an operator: which in-sync replicas are gone and
   * which came back without the data they held.
   */
  static String offlineReason(
      PartitionState state, Set<Integer> eligible, Map<Integer, String> incarnations) {
    List<Integer> lost = new ArrayList<>();
    List<Integer> down = new ArrayList<>();
    for (int member : state.isr()) {
      if (state.lostIncarnation(member, incarnations)) {
        lost.add(member);
      } else if (!eligible.contains(member)) {
        down.add(member);
      }
    }
    StringBuilder reason =
        new StringBuilder("no in-sync replica can lead (isr ").append(state.isr());
    if (!lost.isEmpty()) {
      reason.append("; back without the data they held: ").append(lost);
    }
    if (!down.isEmpty()) {
      reason.append("; not live: ").append(down);
    }
    reason.append(")");
    if (down.isEmpty() && !lost.isEmpty()) {
      reason.append(
          ": acknowledged records may be lost; it stays offline until an operator accepts the"
              + " loss");
    } else {
      reason.append(": it leads again when an in-sync replica returns");
    }
    return reason.toString();
  }

  private void electTopic(
      String topic,
      IdealState idealState,
      Set<Integer> eligible,
      Map<Integer, String> incarnations,
      boolean preferLeaders,
      Map<TopicPartition, String> leaderless) {
    boolean unclean = uncleanAllowed(topic);
    Map<String, Map<String, String>> mapping = new HashMap<>();
    for (int p = 0; p < idealState.getNumPartitions(); p++) {
      TopicPartition tp = new TopicPartition(topic, p);
      PartitionState state = states.read(tp).orElse(null);
      if (state == null) {
        continue;
      }
      PartitionState decided = decide(state, eligible, incarnations, unclean, preferLeaders);
      if (decided != state) {
        if (!states.compareAndSet(decided)) {
          continue; // changed under us (an ISR update): the next pass decides again
        }
        log.info(
            "cluster={} partition={} leader {} -> {} at epoch {}, isr {} -> {}",
            cluster,
            tp,
            state.leader(),
            decided.leader(),
            decided.leaderEpoch(),
            state.isr(),
            decided.isr());
      }
      if (!decided.hasLeader()) {
        leaderless.put(tp, offlineReason(decided, eligible, incarnations));
      }
      Map<String, String> replicaStates = new HashMap<>();
      for (int replica : decided.replicas()) {
        if (replica == decided.leader() && eligible.contains(replica)) {
          replicaStates.put(ClusterPaths.instanceName(replica), ClusterPaths.LEADER);
        } else {
          // Dead replicas stay in the mapping: Helix drops (and the broker deletes) any replica
          // it finds outside the mapping, which a restarting broker would be until the next pass.
          replicaStates.put(ClusterPaths.instanceName(replica), ClusterPaths.STANDBY);
        }
      }
      mapping.put(ClusterPaths.helixPartition(tp), replicaStates);
    }
    boolean differs = false;
    for (Map.Entry<String, Map<String, String>> e : mapping.entrySet()) {
      if (!e.getValue().equals(idealState.getRecord().getMapField(e.getKey()))) {
        differs = true;
        break;
      }
    }
    if (differs) {
      String path = manager.getHelixDataAccessor().keyBuilder().idealStates(topic).getPath();
      HelixRecords.updateExisting(manager, path, record -> mapping.forEach(record::setMapField));
    }
  }

  /**
   * Decides as {@link #decide(PartitionState, Set, Map, boolean, boolean)}, incarnations unknown.
   */
  static PartitionState decide(
      PartitionState state, Set<Integer> eligible, boolean unclean, boolean preferLeaders) {
    return decide(state, eligible, Map.of(), unclean, preferLeaders);
  }

  /**
   * The partition state that should hold now, or {@code state} itself if nothing changes. {@code
   * incarnations} are the brokers' registered incarnations: an ISR member registered under another
   * one than it was in sync with lost its data, and counts as out of sync.
   */
  static PartitionState decide(
      PartitionState state,
      Set<Integer> eligible,
      Map<Integer, String> incarnations,
      boolean unclean,
      boolean preferLeaders) {
    List<Integer> inSync = state.sameIncarnationIsr(incarnations);
    boolean leaderOk =
        state.hasLeader()
            && eligible.contains(state.leader())
            && state.replicas().contains(state.leader())
            && inSync.contains(state.leader());
    if (leaderOk) {
      int preferred = state.replicas().get(0);
      List<Integer> liveIsr = new ArrayList<>(inSync);
      // Disabled counts as gone: a node agent disables its broker's instance the moment the
      // process dies, long before the session times out, and Helix stops a disabled replica.
      liveIsr.retainAll(eligible);
      if (preferLeaders
          && preferred != state.leader()
          && eligible.contains(preferred)
          && liveIsr.contains(preferred)) {
        return state.withLeader(preferred, liveIsr);
      }
      if (!liveIsr.equals(state.isr())) {
        // A follower's session ended (it was disabled, or came back as a new incarnation): it
        // leaves the ISR now rather than after the leader's lag timeout, so acks=all does not wait
        // on a dead broker. Shrinking is always safe.
        return state.withIsr(liveIsr);
      }
      return state;
    }
    for (int candidate : state.replicas()) {
      if (inSync.contains(candidate) && eligible.contains(candidate)) {
        List<Integer> isr = new ArrayList<>();
        for (int member : inSync) {
          if (eligible.contains(member)) {
            isr.add(member);
          }
        }
        return state.withLeader(candidate, isr);
      }
    }
    if (unclean) {
      for (int candidate : state.replicas()) {
        if (eligible.contains(candidate)) {
          log.warn(
              "partition={} no in-sync replica is alive: unclean election of {} (data may be lost)",
              state.topicPartition(),
              candidate);
          return state
              .withLeader(candidate, List.of(candidate))
              .withIsr(List.of(candidate), incarnationOf(candidate, incarnations));
        }
      }
    }
    if (state.hasLeader()) {
      // Nobody in sync is alive: leaderless, ISR kept (with the incarnations that were in sync) so
      // that its members can come back to lead, and only they.
      log.warn(
          "partition={} offline: no in-sync replica is alive (isr {}, of which {} lost their data)",
          state.topicPartition(),
          state.isr(),
          lostMembers(state, inSync));
      return state.withLeader(PartitionState.NO_LEADER, state.isr());
    }
    return state;
  }

  /**
   * An operator's choice to bring an offline partition back at the cost of what only its lost
   * replicas held: the first live replica leads with an ISR of itself, at a new epoch.
   *
   * @throws IllegalStateException the partition is not offline (it has a leader, or a replica of
   *     its ISR is alive and can lead), or no replica is alive to lead
   */
  static PartitionState acceptLoss(
      PartitionState state, Set<Integer> eligible, Map<Integer, String> incarnations) {
    PartitionState decided = decide(state, eligible, incarnations, false, false);
    if (decided.hasLeader()) {
      throw new IllegalStateException(
          state.topicPartition()
              + " is not offline: broker "
              + decided.leader()
              + " is in sync and can lead; nothing is lost");
    }
    for (int candidate : state.replicas()) {
      if (eligible.contains(candidate)) {
        return state
            .withLeader(candidate, List.of(candidate))
            .withIsr(List.of(candidate), incarnationOf(candidate, incarnations));
      }
    }
    throw new IllegalStateException(
        state.topicPartition() + " has no live replica (replicas " + state.replicas() + ")");
  }

  private static Map<Integer, String> incarnationOf(int broker, Map<Integer, String> incarnations) {
    String incarnation = incarnations.get(broker);
    return incarnation == null ? Map.of() : Map.of(broker, incarnation);
  }

  private static List<Integer> lostMembers(PartitionState state, List<Integer> inSync) {
    List<Integer> lost = new ArrayList<>(state.isr());
    lost.removeAll(inSync);
    return lost;
  }

  private boolean uncleanAllowed(String topic) {
    ZNRecord record =
        manager
            .getHelixPropertyStore()
            .get(ClusterPaths.topicPath(topic), null, AccessOption.PERSISTENT);
    if (record == null) {
      return false;
    }
    Map<String, String> config = record.getMapField("config");
    return config != null
        && Boolean.parseBoolean(
            config.get(
                org.apache.kafka.common.config.TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG));
  }
}
