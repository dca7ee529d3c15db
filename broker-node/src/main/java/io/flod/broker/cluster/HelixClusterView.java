package io.flod.broker.cluster;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.helix.model.InstanceConfig;
import org.apache.helix.model.LiveInstance;
import org.apache.helix.spectator.RoutingTableProvider;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a broker in cluster mode tells clients: live brokers from Helix's live instances and their
 * {@code InstanceConfig}s, leaders from Helix's external view (so a client follows a move after the
 * transition has happened), epochs and replicas from the partition states. No request thread ever
 * waits on ZooKeeper for longer than {@link #FIRST_READ_WAIT_MS}.
 */
public final class HelixClusterView implements ClusterView, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HelixClusterView.class);

  /** How long a request waits for the first read of a partition's state before it answers. */
  static final long FIRST_READ_WAIT_MS = 250;

  private final String cluster;
  private final RoutingTableProvider routing;
  private final Function<TopicPartition, Integer> leaderOf;
  private final Function<TopicPartition, Optional<PartitionState>> readState;
  private final Map<TopicPartition, PartitionState> stateCache = new ConcurrentHashMap<>();
  private final Set<TopicPartition> reading = ConcurrentHashMap.newKeySet();

  /** First reads, off the request threads (a ZooKeeper read waits as long as ZooKeeper is away). */
  private final ExecutorService reader =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread thread = new Thread(r, "flod-partition-state-reader");
            thread.setDaemon(true);
            return thread;
          });

  public HelixClusterView(
      String cluster, RoutingTableProvider routing, PartitionStateStore states) {
    this(cluster, routing, tp -> leaderInView(routing, tp), states::read);
  }

  HelixClusterView(
      String cluster,
      RoutingTableProvider routing,
      Function<TopicPartition, Integer> leaderOf,
      Function<TopicPartition, Optional<PartitionState>> readState) {
    this.cluster = cluster;
    this.routing = routing;
    this.leaderOf = leaderOf;
    this.readState = readState;
  }

  private static int leaderInView(RoutingTableProvider routing, TopicPartition partition) {
    List<InstanceConfig> leaders =
        routing.getInstancesForResource(
            partition.topic(), ClusterPaths.helixPartition(partition), ClusterPaths.LEADER);
    return leaders.isEmpty() ? -1 : ClusterPaths.nodeId(leaders.get(0).getInstanceName());
  }

  /**
   * Reads the states of the partitions not seen before, off the request thread, waiting at most
   * {@link #FIRST_READ_WAIT_MS}: with ZooKeeper there the answer is complete; without it the caller
   * answers "no leader" (clients retry) instead of holding a request thread while ZooKeeper is
   * away, and the read fills the cache when it can. A partition already being read is not waited
   * for again.
   */
  @Override
  public void prefetch(Collection<TopicPartition> partitions) {
    List<TopicPartition> missing = new ArrayList<>();
    for (TopicPartition tp : partitions) {
      if (!stateCache.containsKey(tp) && reading.add(tp)) {
        missing.add(tp);
      }
    }
    if (missing.isEmpty()) {
      return;
    }
    Future<?> read;
    try {
      read =
          reader.submit(
              () -> {
                try {
                  for (TopicPartition tp : missing) {
                    readState.apply(tp).ifPresent(state -> stateCache.put(tp, state));
                  }
                } finally {
                  reading.removeAll(missing);
                }
              });
    } catch (RejectedExecutionException closed) {
      reading.removeAll(missing);
      return;
    }
    try {
      read.get(FIRST_READ_WAIT_MS, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      log.debug("cluster={} partition states of {} not read yet", cluster, missing);
    } catch (ExecutionException e) {
      log.warn("cluster={} reading partition states failed: {}", cluster, e.getCause().toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    reader.shutdownNow();
  }

  /**
   * Re-reads the cached partition states (after the external view changed, and periodically). Runs
   * on the membership's own thread: request threads answer from the cache and never wait on
   * ZooKeeper for a partition they have seen before.
   */
  public void invalidate() {
    for (TopicPartition tp : stateCache.keySet()) {
      PartitionState fresh = readState.apply(tp).orElse(null);
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
    PartitionState state = stateCache.get(partition);
    if (state == null) {
      // First sight of this partition (a new topic): read off this thread, with a bounded wait.
      prefetch(List.of(partition));
      state = stateCache.get(partition);
      if (state == null) {
        return new PartitionLeadership(-1, -1, List.of(), List.of());
      }
    }
    int leader = leaderOf.apply(partition);
    // Where the view and the state disagree (a leadership changing hands) the answer is "no
    // leader" until the refresh that the view's change triggered has read the new state.
    return new PartitionLeadership(
        leader == state.leader() ? leader : -1, state.leaderEpoch(), state.replicas(), state.isr());
  }
}
