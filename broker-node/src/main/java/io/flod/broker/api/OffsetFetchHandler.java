package io.flod.broker.api;

import io.flod.broker.group.CommittedOffset;
import io.flod.broker.group.GroupCoordinator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseGroup;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartition;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartitions;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopic;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopics;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.OffsetFetchRequest;

/**
 * OffsetFetch: a group's committed offsets, for the partitions asked (offset -1 where nothing is
 * committed) or all of them. One group per request before v8, a batch of groups from v8.
 */
public final class OffsetFetchHandler implements ApiHandler<OffsetFetchRequest> {
  private final GroupCoordinator coordinator;

  public OffsetFetchHandler(GroupCoordinator coordinator) {
    this.coordinator = coordinator;
  }

  @Override
  public CompletableFuture<ApiMessage> handle(RequestContext context, OffsetFetchRequest request) {
    OffsetFetchRequestData data = request.data();
    OffsetFetchResponseData response = new OffsetFetchResponseData();
    if (context.apiVersion() < 8) {
      List<TopicPartition> wanted = null;
      if (data.topics() != null) {
        wanted = new ArrayList<>();
        for (OffsetFetchRequestData.OffsetFetchRequestTopic t : data.topics()) {
          for (int p : t.partitionIndexes()) {
            wanted.add(new TopicPartition(t.name(), p));
          }
        }
      }
      Map<String, Map<Integer, CommittedOffset>> found;
      try {
        found = lookup(data.groupId(), wanted);
      } catch (ApiException e) {
        return CompletableFuture.completedFuture(
            response.setErrorCode(Errors.forException(e).code()));
      }
      for (Map.Entry<String, Map<Integer, CommittedOffset>> topic : found.entrySet()) {
        OffsetFetchResponseTopic out = new OffsetFetchResponseTopic().setName(topic.getKey());
        topic
            .getValue()
            .forEach(
                (partition, offset) ->
                    out.partitions()
                        .add(
                            new OffsetFetchResponsePartition()
                                .setPartitionIndex(partition)
                                .setCommittedOffset(offset == null ? -1 : offset.offset())
                                .setCommittedLeaderEpoch(
                                    offset == null
                                        ? RecordBatch.NO_PARTITION_LEADER_EPOCH
                                        : offset.leaderEpoch())
                                .setMetadata(offset == null ? "" : offset.metadata())));
        response.topics().add(out);
      }
      return CompletableFuture.completedFuture(response);
    }
    for (OffsetFetchRequestData.OffsetFetchRequestGroup group : data.groups()) {
      List<TopicPartition> wanted = null;
      if (group.topics() != null) {
        wanted = new ArrayList<>();
        for (OffsetFetchRequestData.OffsetFetchRequestTopics t : group.topics()) {
          for (int p : t.partitionIndexes()) {
            wanted.add(new TopicPartition(t.name(), p));
          }
        }
      }
      OffsetFetchResponseGroup out = new OffsetFetchResponseGroup().setGroupId(group.groupId());
      Map<String, Map<Integer, CommittedOffset>> found;
      try {
        found = lookup(group.groupId(), wanted);
      } catch (ApiException e) {
        response.groups().add(out.setErrorCode(Errors.forException(e).code()));
        continue;
      }
      for (Map.Entry<String, Map<Integer, CommittedOffset>> topic : found.entrySet()) {
        OffsetFetchResponseTopics topicOut =
            new OffsetFetchResponseTopics().setName(topic.getKey());
        topic
            .getValue()
            .forEach(
                (partition, offset) ->
                    topicOut
                        .partitions()
                        .add(
                            new OffsetFetchResponsePartitions()
                                .setPartitionIndex(partition)
                                .setCommittedOffset(offset == null ? -1 : offset.offset())
                                .setCommittedLeaderEpoch(
                                    offset == null
                                        ? RecordBatch.NO_PARTITION_LEADER_EPOCH
                                        : offset.leaderEpoch())
                                .setMetadata(offset == null ? "" : offset.metadata())));
        out.topics().add(topicOut);
      }
      response.groups().add(out);
    }
    return CompletableFuture.completedFuture(response);
  }

  /** topic → partition → committed offset (null where none), in the order asked. */
  private Map<String, Map<Integer, CommittedOffset>> lookup(
      String groupId, List<TopicPartition> wanted) {
    Map<TopicPartition, CommittedOffset> committed = coordinator.committed(groupId, wanted);
    Map<String, Map<Integer, CommittedOffset>> byTopic = new LinkedHashMap<>();
    for (TopicPartition tp : wanted == null ? committed.keySet() : wanted) {
      byTopic
          .computeIfAbsent(tp.topic(), t -> new LinkedHashMap<>())
          .put(tp.partition(), committed.get(tp));
    }
    return byTopic;
  }
}
