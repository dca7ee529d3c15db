package io.flod.broker.replication;

import io.flod.broker.cluster.ClusterView.BrokerEndpoint;
import io.flod.broker.cluster.HelixClusterView;
import io.flod.broker.cluster.PartitionState;
import io.flod.broker.cluster.PartitionStateStore;
import io.flod.broker.partition.Partition;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partitions this broker follows, each assigned to the {@link ReplicaFetcher} of its current
 * leader. The leader and epoch come from the partition state in ZooKeeper; while a partition has no
 * leader (or the leader is not reachable yet) it is looked up again shortly.
 */
final class ReplicaFetchers {
  private static final Logger log = LoggerFactory.getLogger(ReplicaFetchers.class);
  private static final long RETRY_MS = 200;

  private final int localNodeId;
  private final PartitionStateStore states;
  private final HelixClusterView view;
  private final ScheduledExecutorService scheduler;
  private final int maxWaitMs;
  private final int maxBytes;
  private final int maxFrameBytes;
  private final Map<TopicPartition, Partition> following = new ConcurrentHashMap<>();
  private final Map<Integer, ReplicaFetcher> fetchers = new ConcurrentHashMap<>();

  private final PeerSecurity peers;

  ReplicaFetchers(
      int localNodeId,
      PartitionStateStore states,
      HelixClusterView view,
      ScheduledExecutorService scheduler,
      int maxWaitMs,
      int maxBytes,
      int maxFrameBytes,
      PeerSecurity peers) {
    this.maxFrameBytes = maxFrameBytes;
    this.peers = peers;
    this.localNodeId = localNodeId;
    this.states = states;
    this.view = view;
    this.scheduler = scheduler;
    this.maxWaitMs = maxWaitMs;
    this.maxBytes = maxBytes;
  }

  void follow(Partition partition) {
    following.put(partition.topicPartition(), partition);
    detach(partition.topicPartition());
    scheduler.execute(() -> locate(partition));
  }

  void unfollow(TopicPartition tp) {
    following.remove(tp);
    detach(tp);
  }

  /** A fetcher gave the partition back: its leader may have moved. */
  void relocate(Partition partition) {
    if (following.get(partition.topicPartition()) == partition) {
      scheduler.schedule(() -> locate(partition), RETRY_MS, TimeUnit.MILLISECONDS);
    }
  }

  private void detach(TopicPartition tp) {
    for (ReplicaFetcher fetcher : fetchers.values()) {
      fetcher.remove(tp);
    }
  }

  private synchronized void locate(Partition partition) {
    TopicPartition tp = partition.topicPartition();
    if (following.get(tp) != partition) {
      return;
    }
    try {
      Optional<PartitionState> state = states.read(tp);
      Optional<BrokerEndpoint> leader =
          state
              .filter(s -> s.hasLeader() && s.leader() != localNodeId)
              .flatMap(s -> view.endpoint(s.leader()));
      if (leader.isEmpty()) {
        scheduler.schedule(() -> locate(partition), RETRY_MS, TimeUnit.MILLISECONDS);
        return;
      }
      BrokerEndpoint endpoint = leader.get();
      InetSocketAddress address = new InetSocketAddress(endpoint.host(), endpoint.port());
      ReplicaFetcher fetcher = fetchers.get(endpoint.nodeId());
      if (fetcher != null && !fetcher.leaderAddress().equals(address)) {
        fetcher.shutdown(); // the leader restarted on another port
        fetchers.remove(endpoint.nodeId());
        fetcher = null;
      }
      if (fetcher == null) {
        fetcher =
            new ReplicaFetcher(
                localNodeId,
                endpoint.nodeId(),
                address,
                this,
                maxWaitMs,
                maxBytes,
                maxFrameBytes,
                peers);
        fetchers.put(endpoint.nodeId(), fetcher);
        fetcher.start();
      }
      partition.makeFollower(state.get().leaderEpoch());
      fetcher.add(partition, state.get().leaderEpoch());
      log.debug(
          "node={} partition={} follows {} at epoch {}",
          localNodeId,
          tp,
          endpoint.nodeId(),
          state.get().leaderEpoch());
    } catch (RuntimeException e) {
      log.warn("node={} partition={} cannot find its leader: {}", localNodeId, tp, e.toString());
      scheduler.schedule(() -> locate(partition), RETRY_MS, TimeUnit.MILLISECONDS);
    }
  }

  void close() {
    following.clear();
    fetchers.values().forEach(ReplicaFetcher::shutdown);
    fetchers.clear();
  }
}
