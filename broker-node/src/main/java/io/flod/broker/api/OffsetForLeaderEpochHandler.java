package io.flod.broker.api;

import io.flod.broker.log.EpochEnd;
import io.flod.broker.partition.Partition;
import io.flod.broker.partition.PartitionManager;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderPartition;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopic;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.EpochEndOffset;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochRequest;

/**
 * OffsetsForLeaderEpoch (KIP-101, KIP-320): where a leader epoch ends in this leader's log. A
 * follower asks before following so it can cut a divergent suffix; a consumer asks after a leader
 * change to detect truncation.
 */
public final class OffsetForLeaderEpochHandler implements ApiHandler<OffsetsForLeaderEpochRequest> {
  private final PartitionManager partitions;

  public OffsetForLeaderEpochHandler(PartitionManager partitions) {
    this.partitions = partitions;
  }

  @Override
  public CompletableFuture<ApiMessage> handle(
      RequestContext context, OffsetsForLeaderEpochRequest request) {
    OffsetForLeaderEpochResponseData response = new OffsetForLeaderEpochResponseData();
    for (OffsetForLeaderTopic topic : request.data().topics()) {
      OffsetForLeaderTopicResult topicResult =
          new OffsetForLeaderTopicResult().setTopic(topic.topic());
      for (OffsetForLeaderPartition wanted : topic.partitions()) {
        EpochEndOffset answer = new EpochEndOffset().setPartition(wanted.partition());
        try {
          Partition partition =
              partitions
                  .get(new TopicPartition(topic.topic(), wanted.partition()))
                  .orElseThrow(Errors.UNKNOWN_TOPIC_OR_PARTITION::exception);
          partition.requireLeader();
          partition.checkLeaderEpoch(wanted.currentLeaderEpoch());
          EpochEnd end = partition.log().endOffsetForEpoch(wanted.leaderEpoch());
          answer.setLeaderEpoch(end.epoch()).setEndOffset(end.endOffset());
        } catch (ApiException e) {
          answer.setErrorCode(Errors.forException(e).code()).setLeaderEpoch(-1).setEndOffset(-1);
        }
        topicResult.partitions().add(answer);
      }
      response.topics().add(topicResult);
    }
    return CompletableFuture.completedFuture(response);
  }
}
