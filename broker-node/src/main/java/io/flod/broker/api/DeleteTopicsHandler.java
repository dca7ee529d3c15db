package io.flod.broker.api;

import io.flod.broker.metadata.TopicMetadata;
import io.flod.broker.metadata.TopicRegistry;
import io.flod.broker.topic.TopicManager;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsResponseData.DeletableTopicResult;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DeleteTopicsRequest;

/** DeleteTopics: by name (v1-5) or by name or id (v6+); each topic answered on its own. */
public final class DeleteTopicsHandler implements ApiHandler<DeleteTopicsRequest> {
  private final TopicManager topicManager;
  private final TopicRegistry topics;

  public DeleteTopicsHandler(TopicManager topicManager, TopicRegistry topics) {
    this.topicManager = topicManager;
    this.topics = topics;
  }

  @Override
  public CompletableFuture<ApiMessage> handle(RequestContext context, DeleteTopicsRequest request) {
    DeleteTopicsRequestData data = request.data();
    List<DeleteTopicsRequestData.DeleteTopicState> wanted = new ArrayList<>();
    if (context.apiVersion() >= 6) {
      wanted.addAll(data.topics());
    } else {
      data.topicNames()
          .forEach(n -> wanted.add(new DeleteTopicsRequestData.DeleteTopicState().setName(n)));
    }
    DeleteTopicsResponseData response = new DeleteTopicsResponseData();
    for (DeleteTopicsRequestData.DeleteTopicState topic : wanted) {
      DeletableTopicResult result =
          new DeletableTopicResult().setName(topic.name()).setTopicId(topic.topicId());
      try {
        String name = topic.name();
        if (name == null) {
          Uuid id = topic.topicId();
          name =
              topics
                  .byId(id)
                  .map(TopicMetadata::name)
                  .orElseThrow(() -> Errors.UNKNOWN_TOPIC_ID.exception());
        }
        TopicMetadata deleted = topicManager.delete(name);
        result.setName(deleted.name()).setTopicId(deleted.topicId());
      } catch (ApiException e) {
        result.setErrorCode(Errors.forException(e).code()).setErrorMessage(e.getMessage());
      }
      response.responses().add(result);
    }
    return CompletableFuture.completedFuture(response);
  }
}
