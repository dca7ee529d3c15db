package io.flod.broker.api;

import io.flod.broker.topic.TopicManager;
import io.flod.broker.topic.TopicManager.ConfigChange;
import io.flod.broker.topic.TopicManager.ConfigOp;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.IncrementalAlterConfigsRequest;

/**
 * IncrementalAlterConfigs for topics: all changes to one topic are validated together and applied
 * at once, or none are. Broker configs are static (set at start-up) and refused here.
 */
public final class IncrementalAlterConfigsHandler
    implements ApiHandler<IncrementalAlterConfigsRequest> {
  private final TopicManager topicManager;

  public IncrementalAlterConfigsHandler(TopicManager topicManager) {
    this.topicManager = topicManager;
  }

  @Override
  public CompletableFuture<ApiMessage> handle(
      RequestContext context, IncrementalAlterConfigsRequest request) {
    IncrementalAlterConfigsRequestData data = request.data();
    IncrementalAlterConfigsResponseData response = new IncrementalAlterConfigsResponseData();
    for (IncrementalAlterConfigsRequestData.AlterConfigsResource resource : data.resources()) {
      AlterConfigsResourceResponse result =
          new AlterConfigsResourceResponse()
              .setResourceType(resource.resourceType())
              .setResourceName(resource.resourceName());
      try {
        if (ConfigResource.Type.forId(resource.resourceType()) != ConfigResource.Type.TOPIC) {
          throw new InvalidRequestException(
              "Only topic configs can be altered; broker configs are set at start-up.");
        }
        List<ConfigChange> changes = new ArrayList<>();
        for (IncrementalAlterConfigsRequestData.AlterableConfig config : resource.configs()) {
          ConfigOp op =
              switch (config.configOperation()) {
                case 0 -> ConfigOp.SET;
                case 1 -> ConfigOp.DELETE;
                case 2 -> ConfigOp.APPEND;
                case 3 -> ConfigOp.SUBTRACT;
                default ->
                    throw new InvalidRequestException(
                        "Unknown config operation " + config.configOperation());
              };
          changes.add(new ConfigChange(config.name(), op, config.value()));
        }
        topicManager.alterConfigs(resource.resourceName(), changes, data.validateOnly());
      } catch (ApiException e) {
        result.setErrorCode(Errors.forException(e).code()).setErrorMessage(e.getMessage());
      }
      response.responses().add(result);
    }
    return CompletableFuture.completedFuture(response);
  }
}
