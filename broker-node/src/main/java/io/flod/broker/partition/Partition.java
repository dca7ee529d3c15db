package io.flod.broker.partition;

import io.flod.broker.log.LogAppendResult;
import io.flod.broker.log.LogReadResult;
import io.flod.broker.log.PartitionLog;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedLeaderEpochException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.errors.UnknownLeaderEpochException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One replica of a partition on this broker: its log and its role.
 *
 * <p>As leader it assigns offsets under its leader epoch, tracks how far each follower has fetched,
 * keeps the in-sync replica set (ISR) and moves the high watermark to the smallest log end among
 * the ISR; an {@code acks=all} produce completes once the high watermark passes its batch. ISR
 * changes are written through {@link IsrWriter} (a compare-and-set in ZooKeeper) before they take
 * effect, and a write that finds a newer leadership deposes this one: it then acknowledges nothing.
 *
 * <p>ISR writes are asynchronous and one at a time: while a proposed ISR is being stored, the high
 * watermark waits for every replica of the current and the proposed ISR (the larger set, so an
 * acknowledgement never depends on which one wins), and {@code min.insync.replicas} counts the
 * stored ISR only. No produce or fetch ever waits on ZooKeeper. A standalone broker is the leader
 * of every partition at epoch 0 with an ISR of itself.
 *
 * <p>As follower it only takes batches from the replica fetcher and refuses clients.
 */
public final class Partition {
  private static final Logger logger = LoggerFactory.getLogger(Partition.class);

  private final TopicPartition topicPartition;
  private final PartitionLog log;
  private final int localNodeId;
  private final HighWatermarkListener consumerWakeups;
  private final HighWatermarkListener replicaWakeups;
  private final ScheduledExecutorService scheduler;
  private final Object lock = new Object();
  private final PriorityQueue<PendingAck> pendingAcks = new PriorityQueue<>();
  private final Map<Integer, FollowerProgress> followers = new HashMap<>();
  private volatile boolean leader;
  private volatile int leaderEpoch;
  private volatile List<Integer> replicas = List.of();
  private volatile List<Integer> isr = List.of();
  private volatile Set<Integer> addingReplicas = Set.of();

  /** Bumped (under the lock) by every ISR write and new leadership, for {@link #syncAssignment}. */
  private volatile long assignmentChanges;

  private IsrWriter isrWriter;
  private long leaderEpochStartOffset;

  /** The ISR being stored, or null when no write is in flight. */
  private List<Integer> pendingIsr;

  /** Bumped by every change of role, so that a write finishing late is ignored. */
  private long leadership;

  private static final class FollowerProgress {
    long logEndOffset = -1;
    long lastCaughtUpMs;
  }

  /** Leadership and replica set as the cluster's store has them, for {@link #syncAssignment}. */
  public record StoredAssignment(
      int leader,
      int leaderEpoch,
      List<Integer> replicas,
      List<Integer> isr,
      List<Integer> adding) {}

  private record PendingAck(long requiredOffset, CompletableFuture<Errors> done)
      implements Comparable<PendingAck> {
    @Override
    public int compareTo(PendingAck other) {
      return Long.compare(requiredOffset, other.requiredOffset);
    }
  }

  Partition(
      TopicPartition topicPartition,
      PartitionLog log,
      int localNodeId,
      HighWatermarkListener consumerWakeups,
      HighWatermarkListener replicaWakeups,
      ScheduledExecutorService scheduler) {
    this.topicPartition = topicPartition;
    this.log = log;
    this.localNodeId = localNodeId;
    this.consumerWakeups = consumerWakeups;
    this.replicaWakeups = replicaWakeups;
    this.scheduler = scheduler;
  }

  public TopicPartition topicPartition() {
    return topicPartition;
  }

  public PartitionLog log() {
    return log;
  }

  public int leaderEpoch() {
    return leaderEpoch;
  }

  public boolean isLeader() {
    return leader;
  }

  /** Refuses a request that only the leader may serve. */
  public void requireLeader() {
    if (!leader) {
      throw new NotLeaderOrFollowerException(
          "node " + localNodeId + " is not the leader of " + topicPartition);
    }
  }

  public List<Integer> isr() {
    return isr;
  }

  public List<Integer> replicas() {
    return replicas;
  }

  /**
   * Takes leadership at {@code epoch} with the ISR as stored. {@code writer} is null for a sole
   * replica (standalone), whose ISR never changes.
   */
  public void makeLeader(
      int epoch, List<Integer> assignedReplicas, List<Integer> inSync, IsrWriter writer) {
    synchronized (lock) {
      leaderEpoch = epoch;
      replicas = List.copyOf(assignedReplicas);
      isr = List.copyOf(inSync);
      isrWriter = writer;
      pendingIsr = null;
      leadership++;
      addingReplicas = Set.of();
      assignmentChanges++;
      leaderEpochStartOffset = log.logEndOffset();
      followers.clear();
      long now = System.currentTimeMillis();
      for (int replica : assignedReplicas) {
        if (replica != localNodeId) {
          FollowerProgress progress = new FollowerProgress();
          progress.lastCaughtUpMs = now;
          followers.put(replica, progress);
        }
      }
      leader = true;
      maybeAdvanceHighWatermark();
    }
    logger.info(
        "partition={} node={} leader at epoch {} from offset {}, replicas {}, isr {}",
        topicPartition,
        localNodeId,
        epoch,
        leaderEpochStartOffset,
        assignedReplicas,
        inSync);
  }

  /** Gives up leadership (or never had it): clients are refused, waiting acks fail. */
  public void makeFollower(int epoch) {
    List<PendingAck> failed;
    synchronized (lock) {
      boolean wasLeader = leader;
      leader = false;
      leaderEpoch = Math.max(leaderEpoch, epoch);
      isrWriter = null;
      pendingIsr = null;
      leadership++;
      addingReplicas = Set.of();
      followers.clear();
      failed = new ArrayList<>(pendingAcks);
      pendingAcks.clear();
      if (wasLeader) {
        logger.info(
            "partition={} node={} stepped down as leader ({} acknowledgements failed)",
            topicPartition,
            localNodeId,
            failed.size());
      }
    }
    for (PendingAck ack : failed) {
      ack.done().complete(Errors.NOT_LEADER_OR_FOLLOWER);
    }
  }

  /**
   * Appends a producer's batches. With {@code acks=all} the ISR must hold at least {@code
   * min.insync.replicas}; the caller then waits with {@link #awaitReplication}.
   */
  public LogAppendResult appendAsLeader(MemoryRecords records, short requiredAcks) {
    LogAppendResult result;
    synchronized (lock) {
      requireLeader();
      for (MutableRecordBatch batch : records.batches()) {
        int batchEpoch = batch.partitionLeaderEpoch();
        // Only a writer that names an epoch is fenced: the Java producer writes -1 and librdkafka
        // writes 0 into every batch, meaning "not set" (Kafka ignores the field on produce).
        if (batchEpoch > 0 && batchEpoch < leaderEpoch) {
          throw new FencedLeaderEpochException(
              "batch carries leader epoch "
                  + batchEpoch
                  + ", older than the current "
                  + leaderEpoch
                  + " of "
                  + topicPartition);
        }
      }
      int minIsr = log.config().minInsyncReplicas();
      if (requiredAcks == -1 && isr.size() < minIsr) {
        throw new NotEnoughReplicasException(
            "the in-sync replicas of "
                + topicPartition
                + " are "
                + isr
                + ", fewer than min.insync.replicas="
                + minIsr);
      }
      result = log.appendAsLeader(records, leaderEpoch);
      if (!result.duplicate()) {
        replicaWakeups.highWatermarkAdvanced(topicPartition, result.sizeInBytes());
        maybeAdvanceHighWatermark(result.sizeInBytes());
      }
    }
    return result;
  }

  /**
   * Completes with NONE once the high watermark passes {@code lastOffset}; with
   * NOT_ENOUGH_REPLICAS_AFTER_APPEND if the ISR shrank below the minimum meanwhile, with
   * NOT_LEADER_OR_FOLLOWER if leadership is lost first, or REQUEST_TIMED_OUT.
   */
  public CompletableFuture<Errors> awaitReplication(long lastOffset, long timeoutMs) {
    CompletableFuture<Errors> done = new CompletableFuture<>();
    synchronized (lock) {
      if (!leader) {
        done.complete(Errors.NOT_LEADER_OR_FOLLOWER);
        return done;
      }
      if (log.highWatermark() > lastOffset) {
        done.complete(ackResult());
        return done;
      }
      pendingAcks.add(new PendingAck(lastOffset + 1, done));
    }
    var timeout =
        scheduler.schedule(
            () -> done.complete(Errors.REQUEST_TIMED_OUT), timeoutMs, TimeUnit.MILLISECONDS);
    done.whenComplete((result, error) -> timeout.cancel(false));
    return done;
  }

  private Errors ackResult() {
    return isr.size() < log.config().minInsyncReplicas()
        ? Errors.NOT_ENOUGH_REPLICAS_AFTER_APPEND
        : Errors.NONE;
  }

  /**
   * A follower's fetch from {@code fetchOffset}: records how far it has replicated (which may move
   * the high watermark or bring it back into the ISR), then reads up to the log end.
   */
  public LogReadResult readForFollower(
      int replicaId, long fetchOffset, int currentLeaderEpoch, int maxBytes) {
    synchronized (lock) {
      requireLeader();
      checkLeaderEpoch(currentLeaderEpoch);
      FollowerProgress progress = followers.get(replicaId);
      if (progress == null) {
        throw new NotLeaderOrFollowerException(
            "replica "
                + replicaId
                + " is not assigned to "
                + topicPartition
                + " (replicas "
                + replicas
                + ")");
      }
      long logEnd = log.logEndOffset();
      if (fetchOffset > logEnd || fetchOffset < log.logStartOffset()) {
        throw new OffsetOutOfRangeException(
            "replica "
                + replicaId
                + " asked for offset "
                + fetchOffset
                + " outside ["
                + log.logStartOffset()
                + ", "
                + logEnd
                + "] of "
                + topicPartition);
      }
      progress.logEndOffset = fetchOffset;
      long now = System.currentTimeMillis();
      if (fetchOffset >= logEnd) {
        progress.lastCaughtUpMs = now;
      }
      maybeExpandIsr(replicaId, fetchOffset);
      maybeAdvanceHighWatermark();
    }
    if (maxBytes == 0) { // throttled: progress noted, nothing sent this time
      return LogReadResult.empty(log.highWatermark(), log.logStartOffset(), log.logEndOffset());
    }
    return log.readForReplica(fetchOffset, maxBytes);
  }

  /** Checks the epoch a client or follower believes current (-1: it does not say). */
  public void checkLeaderEpoch(int clientEpoch) {
    int current = leaderEpoch;
    if (clientEpoch < 0) {
      return;
    }
    if (clientEpoch < current) {
      throw new FencedLeaderEpochException(
          "leader epoch " + clientEpoch + " is older than the current " + current);
    }
    if (clientEpoch > current) {
      throw new UnknownLeaderEpochException(
          "leader epoch " + clientEpoch + " is newer than the current " + current);
    }
  }

  /** Drops followers that have not caught up for {@code maxLagMs} from the ISR. */
  public void maybeShrinkIsr(long nowMs, long maxLagMs) {
    synchronized (lock) {
      if (!leader || isrWriter == null || pendingIsr != null) {
        return;
      }
      List<Integer> keep = new ArrayList<>();
      List<Integer> dropped = new ArrayList<>();
      for (int replica : isr) {
        FollowerProgress progress = followers.get(replica);
        if (replica == localNodeId
            || (progress != null && nowMs - progress.lastCaughtUpMs <= maxLagMs)) {
          keep.add(replica);
        } else {
          dropped.add(replica);
        }
      }
      if (dropped.isEmpty()) {
        return;
      }
      proposeIsr(
          keep,
          () ->
              logger.warn(
                  "partition={} node={} epoch={} isr shrank to {}: {} lagged more than {} ms",
                  topicPartition,
                  localNodeId,
                  leaderEpoch,
                  keep,
                  dropped,
                  maxLagMs));
    }
  }

  private void maybeExpandIsr(int replicaId, long fetchOffset) {
    if (isrWriter == null
        || pendingIsr != null
        || isr.contains(replicaId)
        || fetchOffset < log.highWatermark()
        || fetchOffset < leaderEpochStartOffset) {
      return;
    }
    List<Integer> grown = new ArrayList<>(isr);
    grown.add(replicaId);
    proposeIsr(
        grown,
        () ->
            logger.info(
                "partition={} node={} epoch={} isr grew to {}: replica {} caught up at offset {}",
                topicPartition,
                localNodeId,
                leaderEpoch,
                grown,
                replicaId,
                fetchOffset));
  }

  /**
   * Starts storing {@code newIsr} (called under the lock); it takes effect once stored. A newer
   * leadership found on the way deposes this one; a failed write is retried by the next check.
   */
  private void proposeIsr(List<Integer> newIsr, Runnable onStored) {
    List<Integer> proposed = List.copyOf(newIsr);
    pendingIsr = proposed;
    long proposedIn = leadership;
    int epoch = leaderEpoch;
    isrWriter
        .write(epoch, proposed)
        .whenComplete(
            (result, error) -> {
              synchronized (lock) {
                if (leadership != proposedIn) {
                  return; // the role changed meanwhile: this write belongs to an old leadership
                }
                pendingIsr = null;
                if (error == null && result == IsrWriter.Result.WRITTEN) {
                  isr = proposed;
                  assignmentChanges++;
                  onStored.run();
                  maybeAdvanceHighWatermark();
                  return;
                }
                if (error == null && result == IsrWriter.Result.FENCED) {
                  logger.warn(
                      "partition={} node={} epoch={} found a newer leadership while changing the"
                          + " ISR: stepping down",
                      topicPartition,
                      localNodeId,
                      epoch);
                  scheduler.execute(() -> makeFollower(epoch));
                }
              }
            });
  }

  private void maybeAdvanceHighWatermark() {
    maybeAdvanceHighWatermark(Integer.MAX_VALUE);
  }

  /** Sets the HW to the smallest log end in the ISR; {@code bytes} is for waiting fetches. */
  private void maybeAdvanceHighWatermark(int bytes) {
    if (!leader) {
      return;
    }
    long candidate = log.logEndOffset();
    for (int replica : maximalIsr()) {
      if (replica != localNodeId) {
        FollowerProgress progress = followers.get(replica);
        candidate = Math.min(candidate, progress == null ? -1 : progress.logEndOffset);
      }
    }
    if (candidate <= log.highWatermark() || !log.updateHighWatermark(candidate)) {
      return;
    }
    consumerWakeups.highWatermarkAdvanced(topicPartition, bytes);
    long hw = log.highWatermark();
    Errors result = ackResult();
    while (!pendingAcks.isEmpty() && pendingAcks.peek().requiredOffset() <= hw) {
      pendingAcks.poll().done().complete(result);
    }
  }

  /** The stored ISR and, while a change is being stored, the replicas it adds. */
  private List<Integer> maximalIsr() {
    List<Integer> pending = pendingIsr;
    if (pending == null || isr.containsAll(pending)) {
      return isr;
    }
    List<Integer> union = new ArrayList<>(isr);
    for (int replica : pending) {
      if (!union.contains(replica)) {
        union.add(replica);
      }
    }
    return union;
  }

  public LogReadResult read(long offset, int maxBytes, boolean minOneBatch) {
    return log.read(offset, maxBytes, minOneBatch);
  }

  /**
   * Brings this leader in line with the stored assignment: replicas a move added or removed, and
   * the ISR as the controller trimmed it when a move completed. A stored leadership newer than this
   * one deposes it: a leader that was paused or cut off past its session learns it here, before
   * Helix tells it.
   *
   * <p>The store is read outside the lock (produce and fetch take it; a ZooKeeper round trip must
   * not stall them). A read that an ISR write of this leader may have overtaken is not adopted: the
   * next sync, a second later, reads again.
   */
  public void syncAssignment(Supplier<Optional<StoredAssignment>> store) {
    if (!leader) {
      return;
    }
    long changesBefore = assignmentChanges;
    StoredAssignment stored = store.get().orElse(null);
    int newerEpoch;
    synchronized (lock) {
      if (!leader || stored == null || stored.leaderEpoch() < leaderEpoch) {
        return;
      }
      if (stored.leaderEpoch() == leaderEpoch && stored.leader() == localNodeId) {
        if (assignmentChanges == changesBefore && pendingIsr == null) {
          adopt(stored);
        }
        return;
      }
      newerEpoch = stored.leaderEpoch();
      logger.warn(
          "partition={} node={} epoch={} the store names leader {} at epoch {}: stepping down",
          topicPartition,
          localNodeId,
          leaderEpoch,
          stored.leader(),
          newerEpoch);
    }
    makeFollower(newerEpoch);
  }

  private void adopt(StoredAssignment stored) {
    Set<Integer> adding = Set.copyOf(stored.adding());
    if (stored.replicas().equals(replicas)
        && stored.isr().equals(isr)
        && adding.equals(addingReplicas)) {
      return;
    }
    long now = System.currentTimeMillis();
    for (int replica : stored.replicas()) {
      if (replica != localNodeId && !followers.containsKey(replica)) {
        FollowerProgress progress = new FollowerProgress();
        progress.lastCaughtUpMs = now;
        followers.put(replica, progress);
      }
    }
    followers.keySet().retainAll(stored.replicas());
    logger.info(
        "partition={} node={} epoch={} replicas {} -> {}, isr {} -> {}, adding {}",
        topicPartition,
        localNodeId,
        leaderEpoch,
        replicas,
        stored.replicas(),
        isr,
        stored.isr(),
        stored.adding());
    replicas = List.copyOf(stored.replicas());
    isr = List.copyOf(stored.isr());
    addingReplicas = adding;
    maybeAdvanceHighWatermark();
  }

  /**
   * Whether fetches by {@code replicaId} count against the move throttle: a replica a move is
   * adding, until it is in sync. Followers of the ISR (and replicas catching up after a restart)
   * are never throttled, so that durability does not wait on a bandwidth budget.
   */
  public boolean isThrottled(int replicaId) {
    return addingReplicas.contains(replicaId) && !isr.contains(replicaId);
  }

  /** Bytes each replica being added still has to copy, for reporting a move's progress. */
  public Map<Integer, Long> bytesRemainingForAddedReplicas() {
    if (addingReplicas.isEmpty()) {
      return Map.of(); // not moving: the common case, every second for every led partition
    }
    Map<Integer, Long> remaining = new HashMap<>();
    synchronized (lock) {
      for (int replica : addingReplicas) {
        FollowerProgress progress = followers.get(replica);
        long from = progress == null ? -1 : progress.logEndOffset;
        remaining.put(replica, isr.contains(replica) ? 0L : log.bytesFrom(from));
      }
    }
    return remaining;
  }

  /** Takes batches fetched from the leader, and the leader's high watermark. */
  public int appendAsFollower(MemoryRecords records, long leaderHighWatermark) {
    int bytes = records.sizeInBytes() == 0 ? 0 : log.appendAsFollower(records);
    long hw = Math.min(leaderHighWatermark, log.logEndOffset());
    if (hw > log.highWatermark()) {
      log.updateHighWatermark(hw);
    }
    return bytes;
  }

  /**
   * Cuts this follower's log where it stops agreeing with the leader: the leader says its log has
   * {@code leaderEpoch} (the largest epoch at or below ours) ending at {@code leaderEndOffset}.
   */
  public void truncateToLeader(int leaderEpoch, long leaderEndOffset) {
    long cut;
    if (leaderEpoch < 0 || leaderEndOffset < 0) {
      cut = log.highWatermark(); // the leader knows none of our epochs: keep what was committed
    } else if (leaderEpoch == log.latestEpoch()) {
      cut = leaderEndOffset;
    } else {
      cut = Math.min(leaderEndOffset, log.endOffsetForEpoch(leaderEpoch).endOffset());
    }
    if (cut < log.logEndOffset()) {
      log.truncateTo(Math.max(cut, 0));
    }
  }

  /**
   * The leader said our fetch offset is outside its log: below its start (retention moved on: start
   * over where its log starts), or past its end (it was elected accepting a loss, or unclean, and
   * has less than we do: cut our log at its high watermark and copy the rest from it).
   */
  public void resetAfterOutOfRange(long leaderLogStartOffset, long leaderHighWatermark) {
    long logEnd = log.logEndOffset();
    if (leaderLogStartOffset >= 0 && logEnd < leaderLogStartOffset) {
      log.truncateFullyAndStartAt(leaderLogStartOffset);
    } else if (leaderHighWatermark >= 0 && logEnd > leaderHighWatermark) {
      logger.warn(
          "partition={} node={} log end {} is past the leader's log at epoch {}: truncating to"
              + " its high watermark {}",
          topicPartition,
          localNodeId,
          logEnd,
          leaderEpoch,
          leaderHighWatermark);
      if (leaderHighWatermark < log.logStartOffset()) {
        log.truncateFullyAndStartAt(leaderHighWatermark);
      } else {
        log.truncateTo(leaderHighWatermark);
      }
    }
  }
}
