package io.flod.broker.replication;

import io.flod.broker.cluster.HelixClusterView;
import io.flod.broker.cluster.PartitionState;
import io.flod.broker.cluster.PartitionStateStore;
import io.flod.broker.metadata.TopicMetadata;
import io.flod.broker.metadata.TopicRegistry;
import io.flod.broker.partition.IsrWriter;
import io.flod.broker.partition.Partition;
import io.flod.broker.partition.PartitionManager;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out the roles Helix hands this broker for each replica: leader (at the epoch the
 * partition state in ZooKeeper names, and only if it names this broker), follower (replicating from
 * whoever that state names), offline, dropped. Also shrinks the ISR of the partitions it leads when
 * followers lag.
 *
 * <p>Everything that talks to ZooKeeper here (ISR writes, finding leaders to follow, the periodic
 * sync of led partitions) runs on one thread of its own, {@code flod-replica-zk}: a slow or
 * unreachable ZooKeeper delays only that work, never the shared scheduler that times out waiting
 * fetches and produce acknowledgements, nor a request thread.
 */
public final class ReplicaManager implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ReplicaManager.class);
  private static final long ASSIGNMENT_SYNC_MS = 1_000;

  private final int localNodeId;
  private final PartitionManager partitions;
  private final TopicRegistry topics;
  private final PartitionStateStore states;
  private final ReplicaFetchers fetchers;
  private final ScheduledFuture<?> isrCheck;
  private final ScheduledFuture<?> assignmentSync;
  private final ScheduledExecutorService zkWork;
  private final String localIncarnation;
  private final java.util.function.IntFunction<String> incarnationOf;
  private volatile LeadershipListener leadershipListener = LeadershipListener.NONE;

  /** Told when this broker starts and stops leading a partition (the group coordinator is). */
  public interface LeadershipListener {
    LeadershipListener NONE =
        new LeadershipListener() {
          @Override
          public void leading(TopicPartition tp) {}

          @Override
          public void notLeading(TopicPartition tp) {}
        };

    void leading(TopicPartition tp);

    void notLeading(TopicPartition tp);
  }

  public ReplicaManager(
      int localNodeId,
      PartitionManager partitions,
      TopicRegistry topics,
      PartitionStateStore states,
      HelixClusterView view,
      String localIncarnation,
      java.util.function.IntFunction<String> incarnationOf,
      ScheduledExecutorService scheduler,
      long replicaLagMaxMs,
      int fetchMaxWaitMs,
      int fetchMaxBytes,
      int maxFrameBytes,
      PeerSecurity peers) {
    this.localNodeId = localNodeId;
    this.partitions = partitions;
    this.topics = topics;
    this.states = states;
    this.localIncarnation = localIncarnation;
    this.incarnationOf = incarnationOf;
    this.zkWork =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, "flod-replica-zk-" + localNodeId);
              thread.setDaemon(true);
              return thread;
            });
    this.fetchers =
        new ReplicaFetchers(
            localNodeId, states, view, zkWork, fetchMaxWaitMs, fetchMaxBytes, maxFrameBytes, peers);
    long period = Math.max(50, replicaLagMaxMs / 4);
    this.isrCheck =
        scheduler.scheduleWithFixedDelay(
            () -> shrinkIsrs(replicaLagMaxMs), period, period, TimeUnit.MILLISECONDS);
    this.assignmentSync =
        zkWork.scheduleWithFixedDelay(
            this::syncLedPartitions, ASSIGNMENT_SYNC_MS, ASSIGNMENT_SYNC_MS, TimeUnit.MILLISECONDS);
  }

  /**
   * Re-reads the stored state of every partition this broker leads: a move changes the replicas
   * while the leader stays (Helix sends no transition for that), and a newer leadership found here
   * deposes a leader that was paused or partitioned before Helix can tell it. While a partition
   * moves, its leader also reports the bytes its new replicas still have to copy.
   */
  private void syncLedPartitions() {
    for (Partition partition : partitions.all()) {
      if (!partition.isLeader()) {
        continue;
      }
      TopicPartition tp = partition.topicPartition();
      try {
        partition.syncAssignment(
            () ->
                states
                    .read(tp)
                    .map(
                        s ->
                            new Partition.StoredAssignment(
                                s.leader(), s.leaderEpoch(), s.replicas(), s.isr(), s.adding())));
        Map<Integer, Long> remaining = partition.bytesRemainingForAddedReplicas();
        if (partition.isLeader() && !remaining.isEmpty()) {
          states.writeMoveProgress(tp, remaining);
        }
      } catch (RuntimeException e) {
        log.warn(
            "node={} partition={} cannot sync with the store: {}", localNodeId, tp, e.toString());
      }
    }
  }

  public void onLeadership(LeadershipListener listener) {
    this.leadershipListener = listener;
  }

  private Partition open(TopicPartition tp) {
    if (topics.byName(tp.topic()).isEmpty()) {
      topics.refresh(); // a topic created a moment ago: its configs (min.insync.replicas) matter
    }
    Map<String, String> overrides =
        topics.byName(tp.topic()).map(TopicMetadata::configOverrides).orElse(Map.of());
    return partitions.open(tp, overrides);
  }

  public void becomeFollower(TopicPartition tp) {
    leadershipListener.notLeading(tp);
    Partition partition = open(tp);
    partition.makeFollower(partition.leaderEpoch());
    fetchers.follow(partition);
  }

  public void becomeLeader(TopicPartition tp) {
    Partition partition = open(tp);
    PartitionState state = states.read(tp).orElse(null);
    if (state == null || state.leader() != localNodeId) {
      log.warn(
          "node={} partition={} asked to lead but the stored state names {}: staying follower",
          localNodeId,
          tp,
          state == null ? "nothing" : state.leader());
      fetchers.follow(partition);
      return;
    }
    if (state.lostIncarnation(localNodeId, Map.of(localNodeId, localIncarnation))) {
      // Named leader as the replica that was in sync, which this data directory is not (it was
      // emptied or replaced): leading would serve an empty log as the partition's whole history.
      log.warn(
          "node={} partition={} asked to lead at epoch {} as incarnation {}, but this is {}:"
              + " refusing, the controller elects another replica",
          localNodeId,
          tp,
          state.leaderEpoch(),
          state.incarnations().get(localNodeId),
          localIncarnation);
      fetchers.follow(partition);
      return;
    }
    fetchers.unfollow(tp);
    partition.makeLeader(state.leaderEpoch(), state.replicas(), state.isr(), isrWriter(tp));
    leadershipListener.leading(tp);
  }

  public void becomeOffline(TopicPartition tp) {
    leadershipListener.notLeading(tp);
    fetchers.unfollow(tp);
    partitions.close(tp, false);
  }

  public void drop(TopicPartition tp) {
    leadershipListener.notLeading(tp);
    fetchers.unfollow(tp);
    PartitionState state = states.read(tp).orElse(null);
    if (state != null && state.replicas().contains(localNodeId)) {
      // Still assigned here: never delete a replica the partition may need (it may be the last
      // in-sync copy); only a completed move or a deleted topic removes data.
      log.warn(
          "node={} partition={} told to drop a replica that is still assigned {}: keeping its data",
          localNodeId,
          tp,
          state.replicas());
      partitions.close(tp, false);
      return;
    }
    partitions.close(tp, true);
    log.info("node={} partition={} replica dropped and its data removed", localNodeId, tp);
  }

  /** Partitions this broker leads right now. */
  public long leaderCount() {
    return partitions.all().stream().filter(Partition::isLeader).count();
  }

  private IsrWriter isrWriter(TopicPartition tp) {
    return (epoch, newIsr) -> {
      CompletableFuture<IsrWriter.Result> done = new CompletableFuture<>();
      try {
        zkWork.execute(() -> done.complete(storeIsr(tp, epoch, newIsr)));
      } catch (java.util.concurrent.RejectedExecutionException closing) {
        done.complete(IsrWriter.Result.FAILED);
      }
      return done;
    };
  }

  /**
   * Compare-and-sets the ISR if this broker still leads at {@code epoch}; replicas joining it are
   * recorded with the incarnation they registered.
   */
  private IsrWriter.Result storeIsr(TopicPartition tp, int epoch, List<Integer> newIsr) {
    try {
      for (int attempt = 0; attempt < 3; attempt++) {
        PartitionState current = states.read(tp).orElse(null);
        if (current == null || current.leader() != localNodeId || current.leaderEpoch() != epoch) {
          return IsrWriter.Result.FENCED;
        }
        // A move may have just removed a replica; it must not come back through the ISR.
        List<Integer> assigned = new java.util.ArrayList<>(newIsr);
        assigned.retainAll(current.replicas());
        Map<Integer, String> joining = new HashMap<>();
        for (int replica : assigned) {
          if (!current.isr().contains(replica)) {
            String incarnation =
                replica == localNodeId ? localIncarnation : incarnationOf.apply(replica);
            if (incarnation != null) {
              joining.put(replica, incarnation);
            }
          }
        }
        if (states.compareAndSet(current.withIsr(assigned, joining))) {
          return IsrWriter.Result.WRITTEN;
        }
      }
    } catch (RuntimeException e) {
      log.warn("node={} partition={} cannot store the ISR: {}", localNodeId, tp, e.toString());
    }
    return IsrWriter.Result.FAILED;
  }

  private void shrinkIsrs(long maxLagMs) {
    long now = System.currentTimeMillis();
    for (Partition partition : partitions.all()) {
      try {
        partition.maybeShrinkIsr(now, maxLagMs);
      } catch (RuntimeException e) {
        log.warn("partition={} ISR check failed", partition.topicPartition(), e);
      }
    }
  }

  @Override
  public void close() {
    isrCheck.cancel(false);
    assignmentSync.cancel(false);
    fetchers.close();
    zkWork.shutdownNow();
  }
}
