package io.flod.broker.api;

import io.flod.broker.log.LogAppendResult;
import io.flod.broker.metadata.TopicMetadata;
import io.flod.broker.metadata.TopicRegistry;
import io.flod.broker.metrics.BrokerMetrics;
import io.flod.broker.partition.Partition;
import io.flod.broker.partition.PartitionManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.InvalidRequiredAcksException;
import org.apache.kafka.common.errors.UnknownTopicIdException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponse;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.ProduceRequest;

/**
 * Produce: appends each partition's batches to its leader log and answers with the base offset
 * given (or, for a retried idempotent batch, the offset it got the first time). Each partition
 * succeeds or fails on its own. Topics are named (v3-12) or identified by id (v13+).
 */
public final class ProduceHandler implements ApiHandler<ProduceRequest> {
  private final TopicRegistry topics;
  private final PartitionManager partitions;
  private final BrokerMetrics metrics;

  public ProduceHandler(TopicRegistry topics, PartitionManager partitions, BrokerMetrics metrics) {
    this.topics = topics;
    this.partitions = partitions;
    this.metrics = metrics;
  }

  @Override
  public CompletableFuture<ApiMessage> handle(RequestContext context, ProduceRequest request) {
    ProduceRequestData data = request.data();
    short acks = data.acks();
    boolean byId = context.apiVersion() >= 13;
    ProduceResponseData response = new ProduceResponseData();
    List<CompletableFuture<Void>> replication = new ArrayList<>();
    for (ProduceRequestData.TopicProduceData topicData : data.topicData()) {
      Optional<TopicMetadata> topic =
          byId ? topics.byId(topicData.topicId()) : topics.byName(topicData.name());
      TopicProduceResponse topicResponse =
          new TopicProduceResponse().setName(topicData.name()).setTopicId(topicData.topicId());
      for (ProduceRequestData.PartitionProduceData partitionData : topicData.partitionData()) {
        PartitionProduceResponse partitionResponse =
            new PartitionProduceResponse().setIndex(partitionData.index());
        try {
          if (acks != 0 && acks != 1 && acks != -1) {
            throw new InvalidRequiredAcksException("acks must be 0, 1 or -1, not " + acks);
          }
          Partition partition = partition(topic, byId, partitionData);
          LogAppendResult result = append(partition, partitionData, acks);
          partitionResponse
              .setBaseOffset(result.firstOffset())
              .setLogAppendTimeMs(result.logAppendTimeMs())
              .setLogStartOffset(result.logStartOffset());
          if (!result.duplicate()) {
            metrics.recordProduced(topic.get().name(), result.sizeInBytes(), result.recordCount());
          }
          if (acks == -1) {
            replication.add(
                partition
                    .awaitReplication(result.lastOffset(), data.timeoutMs())
                    .thenAccept(
                        error -> {
                          if (error != Errors.NONE) {
                            fail(partitionResponse, error, error.message());
                          }
                        }));
          }
        } catch (ApiException e) {
          fail(partitionResponse, Errors.forException(e), e.getMessage());
        }
        topicResponse.partitionResponses().add(partitionResponse);
      }
      response.responses().add(topicResponse);
    }
    if (acks == 0) {
      return CompletableFuture.completedFuture(null);
    }
    if (replication.isEmpty()) {
      return CompletableFuture.completedFuture(response);
    }
    return CompletableFuture.allOf(replication.toArray(CompletableFuture[]::new))
        .thenApply(done -> response);
  }

  private static void fail(PartitionProduceResponse response, Errors error, String message) {
    response
        .setErrorCode(error.code())
        .setErrorMessage(message)
        .setBaseOffset(-1)
        .setLogAppendTimeMs(RecordBatch.NO_TIMESTAMP)
        .setLogStartOffset(-1);
  }

  private Partition partition(
      Optional<TopicMetadata> topic, boolean byId, ProduceRequestData.PartitionProduceData data) {
    if (topic.isEmpty()) {
      throw byId
          ? new UnknownTopicIdException("This server does not host this topic ID.")
          : new UnknownTopicOrPartitionException("This server does not host this topic-partition.");
    }
    if (org.apache.kafka.common.internals.Topic.isInternal(topic.get().name())) {
      throw new org.apache.kafka.common.errors.InvalidTopicException(
          "Cannot append to internal topic " + topic.get().name());
    }
    return partitions.hosted(topic.get(), data.index());
  }

  private static LogAppendResult append(
      Partition partition, ProduceRequestData.PartitionProduceData data, short acks) {
    if (!(data.records() instanceof MemoryRecords records)) {
      throw new CorruptRecordException("produce request carries no record batches");
    }
    return partition.appendAsLeader(records, acks);
  }
}
