package io.flod.broker.api;

import io.flod.broker.log.LogAppendResult;
import io.flod.broker.metadata.TopicMetadata;
import io.flod.broker.metadata.TopicRegistry;
import io.flod.broker.metrics.BrokerMetrics;
import io.flod.broker.partition.Partition;
import io.flod.broker.partition.PartitionManager;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
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
          LogAppendResult result = append(topic, byId, partitionData);
          partitionResponse
              .setBaseOffset(result.firstOffset())
              .setLogAppendTimeMs(result.logAppendTimeMs())
              .setLogStartOffset(result.logStartOffset());
          if (!result.duplicate()) {
            metrics.recordProduced(topic.get().name(), result.sizeInBytes(), result.recordCount());
          }
        } catch (ApiException e) {
          partitionResponse
              .setErrorCode(Errors.forException(e).code())
              .setErrorMessage(e.getMessage())
              .setBaseOffset(-1)
              .setLogAppendTimeMs(RecordBatch.NO_TIMESTAMP)
              .setLogStartOffset(-1);
        }
        topicResponse.partitionResponses().add(partitionResponse);
      }
      response.responses().add(topicResponse);
    }
    return CompletableFuture.completedFuture(acks == 0 ? null : response);
  }

  private LogAppendResult append(
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
    Partition partition =
        partitions
            .get(new TopicPartition(topic.get().name(), data.index()))
            .orElseThrow(
                () ->
                    new UnknownTopicOrPartitionException(
                        "This server does not host this topic-partition."));
    if (!(data.records() instanceof MemoryRecords records)) {
      throw new CorruptRecordException("produce request carries no record batches");
    }
    return partition.appendAsLeader(records);
  }
}
