package io.flod.broker.api;

import io.flod.broker.cluster.ClusterView;
import io.flod.broker.metadata.TopicMetadata;
import io.flod.broker.topic.TopicManager;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicConfigs;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;

/**
 * CreateTopics: each topic is validated and created on its own; a name repeated in one request is
 * refused for every copy. Since v5 the answer carries the topic's effective configs.
 */
public final class CreateTopicsHandler implements ApiHandler<CreateTopicsRequest> {
  private final TopicManager topicManager;
  private final ClusterView cluster;

  public CreateTopicsHandler(TopicManager topicManager, ClusterView cluster) {
    this.topicManager = topicManager;
    this.cluster = cluster;
  }

  @Override
  public CompletableFuture<ApiMessage> handle(RequestContext context, CreateTopicsRequest request) {
    CreateTopicsRequestData data = request.data();
    Set<String> seen = new HashSet<>();
    Set<String> duplicated = new HashSet<>();
    for (CreatableTopic topic : data.topics()) {
      if (!seen.add(topic.name())) {
        duplicated.add(topic.name());
      }
    }
    CreateTopicsResponseData response = new CreateTopicsResponseData();
    for (CreatableTopic topic : data.topics()) {
      CreatableTopicResult result = new CreatableTopicResult().setName(topic.name());
      try {
        if (duplicated.contains(topic.name())) {
          throw new InvalidRequestException(
              "Topic '" + topic.name() + "' appears more than once in the request.");
        }
        int partitionCount = topic.numPartitions();
        short replicationFactor = topic.replicationFactor();
        if (!topic.assignments().isEmpty()) {
          if (partitionCount != -1 || replicationFactor != -1) {
            throw new InvalidRequestException(
                "Both numPartitions or replicationFactor and replicasAssignments were set.");
          }
          partitionCount = topic.assignments().size();
          replicationFactor = (short) topic.assignments().iterator().next().brokerIds().size();
          checkAssignments(topic);
        }
        Map<String, String> configs = new HashMap<>();
        topic
            .configs()
            .forEach(
                c -> {
                  if (c.value() != null) {
                    configs.put(c.name(), c.value());
                  }
                });
        TopicMetadata created =
            topicManager.create(
                topic.name(), partitionCount, replicationFactor, configs, data.validateOnly());
        result
            .setTopicId(
                data.validateOnly() ? org.apache.kafka.common.Uuid.ZERO_UUID : created.topicId())
            .setNumPartitions(created.partitionCount())
            .setReplicationFactor(created.replicationFactor());
        if (context.apiVersion() >= 5) {
          addEffectiveConfigs(result, created);
        }
      } catch (ApiException e) {
        result.setErrorCode(Errors.forException(e).code()).setErrorMessage(e.getMessage());
      } catch (RuntimeException invalidName) {
        result
            .setErrorCode(Errors.INVALID_TOPIC_EXCEPTION.code())
            .setErrorMessage(invalidName.getMessage());
      }
      response.topics().add(result);
    }
    return CompletableFuture.completedFuture(response);
  }

  /** Since v5 the answer lists the new topic's effective configs. */
  private void addEffectiveConfigs(CreatableTopicResult result, TopicMetadata created) {
    topicManager
        .topicConfigs()
        .effectiveValues(created.configOverrides())
        .forEach(
            (name, value) ->
                result
                    .configs()
                    .add(
                        new CreatableTopicConfigs()
                            .setName(name)
                            .setValue(value)
                            .setConfigSource(
                                (created.configOverrides().containsKey(name)
                                        ? ConfigSource.TOPIC_CONFIG
                                        : ConfigSource.DEFAULT_CONFIG)
                                    .id())));
  }

  private void checkAssignments(CreatableTopic topic) {
    Set<Integer> live = new HashSet<>();
    cluster.liveBrokers().forEach(b -> live.add(b.nodeId()));
    int expectedPartition = 0;
    for (CreateTopicsRequestData.CreatableReplicaAssignment assignment : topic.assignments()) {
      if (assignment.partitionIndex() != expectedPartition++
          || assignment.brokerIds().isEmpty()
          || new HashSet<>(assignment.brokerIds()).size() != assignment.brokerIds().size()
          || !live.containsAll(assignment.brokerIds())) {
        throw new InvalidReplicaAssignmentException(
            "Replica assignment for partition "
                + assignment.partitionIndex()
                + " must name distinct live brokers "
                + live
                + " for consecutive partitions from 0.");
      }
    }
  }
}
