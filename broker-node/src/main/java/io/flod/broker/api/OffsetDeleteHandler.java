package io.flod.broker.api;

import io.flod.broker.group.GroupCoordinator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.OffsetDeleteResponseData.OffsetDeleteResponsePartition;
import org.apache.kafka.common.message.OffsetDeleteResponseData.OffsetDeleteResponseTopic;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.OffsetDeleteRequest;

/** OffsetDelete: forgets a group's offsets for topics it no longer reads. */
public final class OffsetDeleteHandler implements ApiHandler<OffsetDeleteRequest> {
  private final GroupCoordinator coordinator;

  public OffsetDeleteHandler(GroupCoordinator coordinator) {
    this.coordinator = coordinator;
  }

  @Override
  public CompletableFuture<ApiMessage> handle(RequestContext context, OffsetDeleteRequest request) {
    OffsetDeleteRequestData data = request.data();
    List<TopicPartition> partitions = new ArrayList<>();
    data.topics()
        .forEach(
            t ->
                t.partitions()
                    .forEach(
                        p -> partitions.add(new TopicPartition(t.name(), p.partitionIndex()))));
    OffsetDeleteResponseData response = new OffsetDeleteResponseData();
    Map<TopicPartition, Errors> results;
    try {
      results = coordinator.deleteOffsets(data.groupId(), partitions);
    } catch (ApiException e) {
      return CompletableFuture.completedFuture(
          response.setErrorCode(Errors.forException(e).code()));
    }
    for (OffsetDeleteRequestData.OffsetDeleteRequestTopic topic : data.topics()) {
      OffsetDeleteResponseTopic out = new OffsetDeleteResponseTopic().setName(topic.name());
      topic
          .partitions()
          .forEach(
              p ->
                  out.partitions()
                      .add(
                          new OffsetDeleteResponsePartition()
                              .setPartitionIndex(p.partitionIndex())
                              .setErrorCode(
                                  results
                                      .get(new TopicPartition(topic.name(), p.partitionIndex()))
                                      .code())));
      response.topics().add(out);
    }
    return CompletableFuture.completedFuture(response);
  }
}
