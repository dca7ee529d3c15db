package io.flod.broker.api;

import io.flod.broker.group.CommittedOffset;
import io.flod.broker.group.GroupCoordinator;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponsePartition;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponseTopic;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.OffsetCommitRequest;

/** OffsetCommit: stores a group's positions; stale generations and unknown members are refused. */
public final class OffsetCommitHandler implements ApiHandler<OffsetCommitRequest> {
  private final GroupCoordinator coordinator;

  public OffsetCommitHandler(GroupCoordinator coordinator) {
    this.coordinator = coordinator;
  }

  @Override
  public CompletableFuture<ApiMessage> handle(RequestContext context, OffsetCommitRequest request) {
    OffsetCommitRequestData data = request.data();
    Map<TopicPartition, CommittedOffset> offsets = new HashMap<>();
    for (OffsetCommitRequestData.OffsetCommitRequestTopic topic : data.topics()) {
      for (OffsetCommitRequestData.OffsetCommitRequestPartition p : topic.partitions()) {
        offsets.put(
            new TopicPartition(topic.name(), p.partitionIndex()),
            new CommittedOffset(
                p.committedOffset(), p.committedLeaderEpoch(), p.committedMetadata(), 0));
      }
    }
    Map<TopicPartition, Errors> results =
        coordinator.commit(
            data.groupId(),
            data.memberId() == null ? "" : data.memberId(),
            data.groupInstanceId(),
            data.generationIdOrMemberEpoch(),
            offsets);
    OffsetCommitResponseData response = new OffsetCommitResponseData();
    for (OffsetCommitRequestData.OffsetCommitRequestTopic topic : data.topics()) {
      OffsetCommitResponseTopic topicResponse =
          new OffsetCommitResponseTopic().setName(topic.name());
      for (OffsetCommitRequestData.OffsetCommitRequestPartition p : topic.partitions()) {
        Errors error =
            results.getOrDefault(new TopicPartition(topic.name(), p.partitionIndex()), Errors.NONE);
        topicResponse
            .partitions()
            .add(
                new OffsetCommitResponsePartition()
                    .setPartitionIndex(p.partitionIndex())
                    .setErrorCode(error.code()));
      }
      response.topics().add(topicResponse);
    }
    return CompletableFuture.completedFuture(response);
  }
}
