package io.flod.broker.api;

import io.flod.broker.config.BrokerConfig;
import io.flod.broker.metadata.TopicMetadata;
import io.flod.broker.topic.TopicManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResult;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeConfigsRequest;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigType;

/**
 * DescribeConfigs for topics (every topic config with its effective value and whether the topic
 * overrides it) and for this broker (its static configs, read-only).
 */
public final class DescribeConfigsHandler implements ApiHandler<DescribeConfigsRequest> {
  private final TopicManager topicManager;
  private final BrokerConfig brokerConfig;
  private final int nodeId;

  public DescribeConfigsHandler(TopicManager topicManager, BrokerConfig brokerConfig, int nodeId) {
    this.topicManager = topicManager;
    this.brokerConfig = brokerConfig;
    this.nodeId = nodeId;
  }

  @Override
  public CompletableFuture<ApiMessage> handle(
      RequestContext context, DescribeConfigsRequest request) {
    DescribeConfigsRequestData data = request.data();
    DescribeConfigsResponseData response = new DescribeConfigsResponseData();
    for (DescribeConfigsRequestData.DescribeConfigsResource resource : data.resources()) {
      DescribeConfigsResult result =
          new DescribeConfigsResult()
              .setResourceType(resource.resourceType())
              .setResourceName(resource.resourceName());
      try {
        result.setConfigs(
            filter(describe(resource, data.includeDocumentation()), resource.configurationKeys()));
      } catch (ApiException e) {
        result.setErrorCode(Errors.forException(e).code()).setErrorMessage(e.getMessage());
      }
      response.results().add(result);
    }
    return CompletableFuture.completedFuture(response);
  }

  private List<DescribeConfigsResourceResult> describe(
      DescribeConfigsRequestData.DescribeConfigsResource resource, boolean documentation) {
    ConfigResource.Type type = ConfigResource.Type.forId(resource.resourceType());
    List<DescribeConfigsResourceResult> configs = new ArrayList<>();
    if (type == ConfigResource.Type.TOPIC) {
      TopicMetadata topic =
          topicManager
              .find(resource.resourceName())
              .orElseThrow(
                  () ->
                      new UnknownTopicOrPartitionException(
                          "Topic '" + resource.resourceName() + "' does not exist."));
      Map<String, ConfigDef.ConfigKey> keys = topicManager.topicConfigs().keys();
      topicManager
          .topicConfigs()
          .effectiveValues(topic.configOverrides())
          .forEach(
              (name, value) ->
                  configs.add(
                      entry(
                          keys.get(name),
                          value,
                          topic.configOverrides().containsKey(name)
                              ? ConfigSource.TOPIC_CONFIG
                              : ConfigSource.DEFAULT_CONFIG,
                          false,
                          documentation)));
    } else if (type == ConfigResource.Type.BROKER) {
      if (!resource.resourceName().isEmpty()
          && !resource.resourceName().equals(Integer.toString(nodeId))) {
        throw new InvalidRequestException(
            "This is broker " + nodeId + ", not " + resource.resourceName());
      }
      for (ConfigDef.ConfigKey key : BrokerConfig.DEFINITION.configKeys().values()) {
        Object value = brokerConfig.values().get(key.name);
        boolean explicit = brokerConfig.originals().containsKey(key.name);
        configs.add(
            entry(
                key,
                ConfigDef.convertToString(value, key.type),
                explicit ? ConfigSource.STATIC_BROKER_CONFIG : ConfigSource.DEFAULT_CONFIG,
                true,
                documentation));
      }
    } else {
      throw new InvalidRequestException("Config resource type " + type + " is not supported.");
    }
    return configs;
  }

  private static DescribeConfigsResourceResult entry(
      ConfigDef.ConfigKey key,
      String value,
      ConfigSource source,
      boolean readOnly,
      boolean documentation) {
    return new DescribeConfigsResourceResult()
        .setName(key.name)
        .setValue(value)
        .setReadOnly(readOnly)
        .setConfigSource(source.id())
        .setIsSensitive(false)
        .setConfigType(typeOf(key.type).id())
        .setDocumentation(documentation ? key.documentation : null);
  }

  private static ConfigType typeOf(ConfigDef.Type type) {
    return switch (type) {
      case BOOLEAN -> ConfigType.BOOLEAN;
      case STRING -> ConfigType.STRING;
      case INT -> ConfigType.INT;
      case SHORT -> ConfigType.SHORT;
      case LONG -> ConfigType.LONG;
      case DOUBLE -> ConfigType.DOUBLE;
      case LIST -> ConfigType.LIST;
      case CLASS -> ConfigType.CLASS;
      case PASSWORD -> ConfigType.PASSWORD;
    };
  }

  private static List<DescribeConfigsResourceResult> filter(
      List<DescribeConfigsResourceResult> configs, List<String> keys) {
    if (keys == null || keys.isEmpty()) {
      return configs;
    }
    return configs.stream().filter(c -> keys.contains(c.name())).toList();
  }
}
