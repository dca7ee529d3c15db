package io.flod.broker.cluster;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.helix.model.InstanceConfig;
import org.apache.helix.model.LiveInstance;
import org.apache.helix.spectator.RoutingTableProvider;
import org.apache.kafka.common.TopicPartition;

/**
 * What a broker in cluster mode tells clients: live brokers from Helix's live instances and their
 * {@code InstanceConfig}s, leaders from Helix's external view (so a client follows a move after the
 * transition has happened), epochs and replicas from the partition states.
 */
public final class HelixClusterView implements ClusterView {
  private final String cluster;
  private final RoutingTableProvider routing;
  private final PartitionStateStore states;
  private final Map<TopicPartition, PartitionState> stateCache = new ConcurrentHashMap<>();

  public HelixClusterView(
      String cluster, RoutingTableProvider routing, PartitionStateStore states) {
    this.cluster = cluster;
    this.routing = routing;
    this.states = states;
  }

  /**
   * Re-reads the cached partition states (after the external view changed, and periodically). Runs
   * on the membership's own thread: request threads answer from the cache and never wait on
   * ZooKeeper for a partition they have seen before.
   */
  public void invalidate() {
    for (TopicPartition tp : stateCache.keySet()) {
      PartitionState fresh = states.read(tp).orElse(null);
      if (fresh == null) {
        stateCache.remove(tp);
      } else {
        stateCache.put(tp, fresh);
      }
    }
  }

  @Override
  public String clusterId() {
    return cluster;
  }

  @Override
  public int controllerId() {
    return liveBrokers().stream().mapToInt(BrokerEndpoint::nodeId).min().orElse(-1);
  }

  @Override
  public List<BrokerEndpoint> liveBrokers() {
    List<BrokerEndpoint> brokers = new ArrayList<>();
    for (LiveInstance live : routing.getLiveInstances()) {
      endpoint(ClusterPaths.nodeId(live.getInstanceName())).ifPresent(brokers::add);
    }
    brokers.sort(Comparator.comparingInt(BrokerEndpoint::nodeId));
    return brokers;
  }

  /** Where broker {@code nodeId} listens, if it is registered. */
  public Optional<BrokerEndpoint> endpoint(int nodeId) {
    if (nodeId < 0) {
      return Optional.empty();
    }
    String name = ClusterPaths.instanceName(nodeId);
    for (InstanceConfig config : routing.getInstanceConfigs()) {
      String host = config.getRecord().getSimpleField(ClusterPaths.HOST_FIELD);
      String port = config.getRecord().getSimpleField(ClusterPaths.PORT_FIELD);
      if (config.getInstanceName().equals(name) && host != null && port != null) {
        return Optional.of(
            new BrokerEndpoint(
                nodeId, host, Integer.parseInt(port), config.getDomainAsMap().get("zone")));
      }
    }
    return Optional.empty();
  }

  @Override
  public PartitionLeadership leadership(TopicPartition partition) {
    List<InstanceConfig> leaders =
        routing.getInstancesForResource(
            partition.topic(), ClusterPaths.helixPartition(partition), ClusterPaths.LEADER);
    int leader = leaders.isEmpty() ? -1 : ClusterPaths.nodeId(leaders.get(0).getInstanceName());
    PartitionState state = stateCache.get(partition);
    if (state == null) {
      // First sight of this partition (a new topic): the only read a request thread makes.
      state = states.read(partition).orElse(null);
      if (state == null) {
        return new PartitionLeadership(-1, -1, List.of(), List.of());
      }
      stateCache.put(partition, state);
    }
    // Where the view and the state disagree (a leadership changing hands) the answer is "no
    // leader" until the refresh that the view's change triggered has read the new state.
    return new PartitionLeadership(
        leader == state.leader() ? leader : -1, state.leaderEpoch(), state.replicas(), state.isr());
  }
}
