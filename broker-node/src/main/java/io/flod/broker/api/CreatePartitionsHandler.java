package io.flod.broker.api;

import io.flod.broker.topic.TopicManager;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreatePartitionsResponseData.CreatePartitionsTopicResult;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.CreatePartitionsRequest;

/** CreatePartitions: grows a topic's partition count; it never shrinks. */
public final class CreatePartitionsHandler implements ApiHandler<CreatePartitionsRequest> {
  private final TopicManager topicManager;

  public CreatePartitionsHandler(TopicManager topicManager) {
    this.topicManager = topicManager;
  }

  @Override
  public CompletableFuture<ApiMessage> handle(
      RequestContext context, CreatePartitionsRequest request) {
    CreatePartitionsRequestData data = request.data();
    CreatePartitionsResponseData response = new CreatePartitionsResponseData();
    for (CreatePartitionsRequestData.CreatePartitionsTopic topic : data.topics()) {
      CreatePartitionsTopicResult result = new CreatePartitionsTopicResult().setName(topic.name());
      try {
        if (topic.assignments() != null && !topic.assignments().isEmpty()) {
          throw new InvalidReplicaAssignmentException(
              "Manual replica assignment is not supported; placement is automatic.");
        }
        topicManager.createPartitions(topic.name(), topic.count(), data.validateOnly());
      } catch (ApiException e) {
        result.setErrorCode(Errors.forException(e).code()).setErrorMessage(e.getMessage());
      }
      response.results().add(result);
    }
    return CompletableFuture.completedFuture(response);
  }
}
