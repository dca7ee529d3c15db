package io.flod.broker.api;

import io.flod.broker.fetch.DelayedFetches;
import io.flod.broker.log.LogReadResult;
import io.flod.broker.metadata.TopicMetadata;
import io.flod.broker.metadata.TopicRegistry;
import io.flod.broker.metrics.BrokerMetrics;
import io.flod.broker.partition.Partition;
import io.flod.broker.partition.PartitionManager;
import io.flod.broker.quota.ThrottleLog;
import io.flod.broker.quota.ThroughputQuota;
import io.flod.broker.replication.ReplicationThrottle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.FetchRequest;

/**
 * Fetch: reads each requested partition from its log up to the high watermark, within the
 * partition's and the response's byte limits (the first non-empty partition always gets at least
 * one whole batch, KIP-74). If less than {@code min.bytes} is available the fetch is parked in
 * {@link DelayedFetches} until data arrives or {@code max.wait.ms} passes, then read again. Record
 * bytes are sent straight from the segment files.
 *
 * <p>Fetch sessions (KIP-227) are not kept: every response carries session id 0, which tells the
 * client to send full fetch requests, as a broker with a full session cache does.
 */
public final class FetchHandler implements ApiHandler<FetchRequest> {
  private final TopicRegistry topics;
  private final PartitionManager partitions;
  private final DelayedFetches delayedFetches;
  private final DelayedFetches replicaFetches;
  private final Executor handlerPool;
  private final BrokerMetrics metrics;
  private final int maxWaitCapMs;
  private final ReplicationThrottle moveThrottle;
  private final ThroughputQuota egress;
  private final ThrottleLog throttles;

  public FetchHandler(
      TopicRegistry topics,
      PartitionManager partitions,
      DelayedFetches delayedFetches,
      DelayedFetches replicaFetches,
      Executor handlerPool,
      BrokerMetrics metrics,
      int maxWaitCapMs,
      ReplicationThrottle moveThrottle,
      ThroughputQuota egress,
      ThrottleLog throttles) {
    this.topics = topics;
    this.partitions = partitions;
    this.delayedFetches = delayedFetches;
    this.replicaFetches = replicaFetches;
    this.handlerPool = handlerPool;
    this.metrics = metrics;
    this.maxWaitCapMs = maxWaitCapMs;
    this.moveThrottle = moveThrottle;
    this.egress = egress;
    this.throttles = throttles;
  }

  /** One requested partition, resolved to a topic name (null if the topic is unknown). */
  private record PartitionFetch(
      String topicName,
      String requestedName,
      Uuid topicId,
      FetchRequestData.FetchPartition request) {}

  /** What one read pass found; metrics count only the pass that is sent. */
  private record Pass(
      FetchResponseData response,
      long bytes,
      boolean anyError,
      List<Long> highWatermarks,
      List<Delivered> delivered) {}

  private record Delivered(String topic, int partition, int bytes, long records) {}

  @Override
  public CompletableFuture<ApiMessage> handle(RequestContext context, FetchRequest request) {
    FetchRequestData data = request.data();
    boolean byId = context.apiVersion() >= 13;
    List<List<PartitionFetch>> plan = new ArrayList<>();
    for (FetchRequestData.FetchTopic topic : data.topics()) {
      String name =
          byId ? topics.byId(topic.topicId()).map(TopicMetadata::name).orElse(null) : topic.topic();
      if (!byId && topics.byName(name).isEmpty()) {
        name = null;
      }
      List<PartitionFetch> fetches = new ArrayList<>(topic.partitions().size());
      for (FetchRequestData.FetchPartition partition : topic.partitions()) {
        fetches.add(new PartitionFetch(name, topic.topic(), topic.topicId(), partition));
      }
      plan.add(fetches);
    }
    boolean readCommitted = data.isolationLevel() == IsolationLevel.READ_COMMITTED.id();
    int replicaId = request.replicaId();
    Pass first = read(plan, data, byId, readCommitted, replicaId);
    long maxWait = Math.min(data.maxWaitMs(), maxWaitCapMs);
    if (maxWait <= 0
        || first.bytes() >= data.minBytes()
        || first.anyError()
        || data.topics().isEmpty()) {
      return CompletableFuture.completedFuture(account(first, replicaId));
    }
    List<TopicPartition> watched = new ArrayList<>();
    for (List<PartitionFetch> fetches : plan) {
      for (PartitionFetch fetch : fetches) {
        watched.add(new TopicPartition(fetch.topicName(), fetch.request().partition()));
      }
    }
    DelayedFetches.Waiter waiter =
        (replicaId >= 0 ? replicaFetches : delayedFetches)
            .await(watched, data.minBytes() - first.bytes(), maxWait);
    // Data that arrived between the read and the registration would not wake us: look once more.
    int i = 0;
    for (TopicPartition tp : watched) {
      long seen = first.highWatermarks().get(i++);
      if (partitions
          .get(tp)
          .map(p -> (replicaId >= 0 ? p.log().logEndOffset() : p.log().highWatermark()) != seen)
          .orElse(true)) {
        waiter.complete();
        break;
      }
    }
    return waiter
        .future()
        .thenApplyAsync(
            done -> account(read(plan, data, byId, readCommitted, replicaId), replicaId),
            handlerPool);
  }

  private Pass read(
      List<List<PartitionFetch>> plan,
      FetchRequestData data,
      boolean byId,
      boolean readCommitted,
      int replicaId) {
    FetchResponseData response = new FetchResponseData().setSessionId(0);
    int remaining = data.maxBytes();
    long bytes = 0;
    boolean anyError = false;
    List<Long> highWatermarks = new ArrayList<>();
    List<Delivered> delivered = new ArrayList<>();
    for (List<PartitionFetch> fetches : plan) {
      FetchResponseData.FetchableTopicResponse topicResponse =
          new FetchResponseData.FetchableTopicResponse();
      if (!fetches.isEmpty()) {
        topicResponse.setTopicId(fetches.get(0).topicId()).setTopic(fetches.get(0).requestedName());
      }
      for (PartitionFetch fetch : fetches) {
        FetchResponseData.PartitionData partitionData =
            new FetchResponseData.PartitionData()
                .setPartitionIndex(fetch.request().partition())
                .setPreferredReadReplica(-1)
                .setAbortedTransactions(readCommitted ? new ArrayList<>() : null)
                .setRecords(MemoryRecords.EMPTY);
        long highWatermark = -1;
        Partition partition = null;
        try {
          partition = resolve(fetch, byId);
          int maxBytes = Math.max(0, Math.min(fetch.request().partitionMaxBytes(), remaining));
          LogReadResult result;
          if (replicaId >= 0) {
            boolean throttled = partition.isThrottled(replicaId);
            result =
                partition.readForFollower(
                    replicaId,
                    fetch.request().fetchOffset(),
                    fetch.request().currentLeaderEpoch(),
                    throttled ? moveThrottle.available(maxBytes) : maxBytes);
            if (throttled) {
              moveThrottle.consume(result.sizeInBytes());
            }
            highWatermark = result.logEndOffset();
          } else {
            partition.requireLeader();
            partition.checkLeaderEpoch(fetch.request().currentLeaderEpoch());
            result = partition.read(fetch.request().fetchOffset(), maxBytes, bytes == 0);
            highWatermark = result.highWatermark();
          }
          partitionData
              .setHighWatermark(result.highWatermark())
              .setLastStableOffset(result.highWatermark())
              .setLogStartOffset(result.logStartOffset())
              .setRecords(result.records());
          remaining -= result.sizeInBytes();
          bytes += result.sizeInBytes();
          if (result.sizeInBytes() > 0) {
            delivered.add(
                new Delivered(
                    fetch.topicName(),
                    fetch.request().partition(),
                    result.sizeInBytes(),
                    recordsIn(result, fetch.request().fetchOffset())));
          }
        } catch (ApiException e) {
          anyError = true;
          partitionData
              .setErrorCode(Errors.forException(e).code())
              // A follower ahead of the leader (after an election that accepted a loss) learns
              // where to cut its log.
              .setHighWatermark(
                  replicaId >= 0 && partition != null ? partition.log().highWatermark() : -1)
              .setLastStableOffset(-1)
              .setLogStartOffset(
                  // A follower out of range learns where the leader's log starts.
                  replicaId >= 0 && partition != null ? partition.log().logStartOffset() : -1);
        }
        highWatermarks.add(highWatermark);
        topicResponse.partitions().add(partitionData);
      }
      response.responses().add(topicResponse);
    }
    return new Pass(response, bytes, anyError, highWatermarks, delivered);
  }

  private Partition resolve(PartitionFetch fetch, boolean byId) {
    if (fetch.topicName() == null) {
      throw (byId ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION).exception();
    }
    TopicMetadata topic =
        topics.byName(fetch.topicName()).orElseThrow(Errors.UNKNOWN_TOPIC_OR_PARTITION::exception);
    return partitions.hosted(topic, fetch.request().partition());
  }

  /**
   * Metrics for the pass that is sent, and for a consumer's fetch the egress quota: over it, the
   * response carries the throttle time (and the connection waits that long, as for produce).
   */
  private FetchResponseData account(Pass pass, int replicaId) {
    long events = 0;
    for (Delivered d : pass.delivered()) {
      metrics.recordFetched(d.topic(), d.bytes(), d.records());
      events += d.records();
    }
    if (replicaId < 0 && pass.bytes() > 0) {
      int throttleMs = egress.record(pass.bytes(), events);
      if (throttleMs > 0) {
        pass.response().setThrottleTimeMs(throttleMs);
        List<ThrottleLog.Load> loads = new ArrayList<>(pass.delivered().size());
        for (Delivered d : pass.delivered()) {
          loads.add(new ThrottleLog.Load(d.topic(), d.partition(), d.bytes(), d.records()));
        }
        throttles.throttled("egress", loads);
      }
    }
    return pass.response();
  }

  /** Records delivered: offsets from the fetch position to the end of the last whole batch. */
  private static long recordsIn(LogReadResult result, long fetchOffset) {
    return Math.max(0, result.endOffset() - fetchOffset);
  }
}
