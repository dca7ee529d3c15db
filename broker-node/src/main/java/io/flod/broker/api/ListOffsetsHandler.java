package io.flod.broker.api;

import io.flod.broker.log.PartitionLog;
import io.flod.broker.partition.Partition;
import io.flod.broker.partition.PartitionManager;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsTopicResponse;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.ListOffsetsRequest;

/**
 * ListOffsets: the earliest offset, the latest (the high watermark, which is also the last stable
 * offset with no transactions), the record with the largest timestamp, or the first record at or
 * after a timestamp. Without tiered storage the earliest local offset is the earliest offset and
 * there is no latest tiered offset (-1).
 */
public final class ListOffsetsHandler implements ApiHandler<ListOffsetsRequest> {
  private final PartitionManager partitions;

  public ListOffsetsHandler(PartitionManager partitions) {
    this.partitions = partitions;
  }

  @Override
  public CompletableFuture<ApiMessage> handle(RequestContext context, ListOffsetsRequest request) {
    ListOffsetsResponseData response = new ListOffsetsResponseData();
    for (ListOffsetsRequestData.ListOffsetsTopic topic : request.data().topics()) {
      ListOffsetsTopicResponse topicResponse = new ListOffsetsTopicResponse().setName(topic.name());
      for (ListOffsetsRequestData.ListOffsetsPartition partition : topic.partitions()) {
        ListOffsetsPartitionResponse answer =
            new ListOffsetsPartitionResponse().setPartitionIndex(partition.partitionIndex());
        try {
          Partition found =
              partitions
                  .get(new TopicPartition(topic.name(), partition.partitionIndex()))
                  .orElseThrow(
                      () ->
                          new UnknownTopicOrPartitionException(
                              "This server does not host this topic-partition."));
          found.requireLeader();
          found.checkLeaderEpoch(partition.currentLeaderEpoch());
          lookup(found, partition.timestamp(), answer);
          if (context.apiVersion() < 4) {
            // The leader epoch field exists from v4; older clients must not be sent one.
            answer.setLeaderEpoch(RecordBatch.NO_PARTITION_LEADER_EPOCH);
          }
        } catch (ApiException e) {
          answer
              .setErrorCode(Errors.forException(e).code())
              .setOffset(-1)
              .setTimestamp(-1)
              .setLeaderEpoch(RecordBatch.NO_PARTITION_LEADER_EPOCH);
        }
        topicResponse.partitions().add(answer);
      }
      response.topics().add(topicResponse);
    }
    return CompletableFuture.completedFuture(response);
  }

  private static void lookup(
      Partition partition, long timestamp, ListOffsetsPartitionResponse answer) {
    PartitionLog log = partition.log();
    answer.setTimestamp(-1).setLeaderEpoch(partition.leaderEpoch());
    if (timestamp == ListOffsetsRequest.EARLIEST_TIMESTAMP
        || timestamp == ListOffsetsRequest.EARLIEST_LOCAL_TIMESTAMP) {
      answer.setOffset(log.logStartOffset());
    } else if (timestamp == ListOffsetsRequest.LATEST_TIMESTAMP) {
      answer.setOffset(log.highWatermark());
    } else if (timestamp == ListOffsetsRequest.LATEST_TIERED_TIMESTAMP) {
      answer.setOffset(-1);
    } else if (timestamp == ListOffsetsRequest.MAX_TIMESTAMP) {
      setFound(answer, log.offsetOfMaxTimestamp(), partition.leaderEpoch());
    } else if (timestamp >= 0) {
      setFound(answer, log.offsetForTimestamp(timestamp), partition.leaderEpoch());
    } else {
      throw Errors.INVALID_REQUEST.exception("unsupported special timestamp " + timestamp);
    }
  }

  private static void setFound(
      ListOffsetsPartitionResponse answer, FileRecords.TimestampAndOffset found, int currentEpoch) {
    if (found == null) {
      answer.setOffset(-1).setTimestamp(-1);
    } else {
      answer
          .setOffset(found.offset)
          .setTimestamp(found.timestamp)
          .setLeaderEpoch(found.leaderEpoch.orElse(currentEpoch));
    }
  }
}
