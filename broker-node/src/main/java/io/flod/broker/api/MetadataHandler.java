package io.flod.broker.api;

import io.flod.broker.cluster.ClusterView;
import io.flod.broker.config.BrokerConfig;
import io.flod.broker.metadata.TopicMetadata;
import io.flod.broker.metadata.TopicRegistry;
import io.flod.broker.topic.TopicManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBroker;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.MetadataRequest;

/**
 * Metadata: brokers, controller and, per topic asked for (or all topics), its id and each
 * partition's leader, epoch, replicas and in-sync replicas. Creates missing topics only when both
 * the client allows it and the broker's {@code auto.create.topics.enable} is on.
 */
public final class MetadataHandler implements ApiHandler<MetadataRequest> {
  private final ClusterView cluster;
  private final TopicRegistry topics;
  private final TopicManager topicManager;
  private final boolean autoCreate;

  public MetadataHandler(
      ClusterView cluster, TopicRegistry topics, TopicManager topicManager, BrokerConfig config) {
    this.cluster = cluster;
    this.topics = topics;
    this.topicManager = topicManager;
    this.autoCreate = config.getBoolean(BrokerConfig.AUTO_CREATE_TOPICS_ENABLE);
  }

  @Override
  public CompletableFuture<ApiMessage> handle(RequestContext context, MetadataRequest request) {
    MetadataRequestData data = request.data();
    short version = context.apiVersion();
    MetadataResponseData response =
        new MetadataResponseData()
            .setClusterId(cluster.clusterId())
            .setControllerId(cluster.controllerId());
    for (ClusterView.BrokerEndpoint broker : cluster.liveBrokers()) {
      response
          .brokers()
          .add(
              new MetadataResponseBroker()
                  .setNodeId(broker.nodeId())
                  .setHost(broker.host())
                  .setPort(broker.port())
                  .setRack(broker.rack()));
    }
    boolean allTopics = data.topics() == null || (version == 0 && data.topics().isEmpty());
    if (allTopics) {
      for (TopicMetadata topic : topics.all()) {
        response.topics().add(describe(topic));
      }
      return CompletableFuture.completedFuture(response);
    }
    boolean clientAllowsCreate = version < 4 || data.allowAutoTopicCreation();
    for (MetadataRequestData.MetadataRequestTopic wanted : data.topics()) {
      response.topics().add(lookup(wanted, clientAllowsCreate && autoCreate));
    }
    return CompletableFuture.completedFuture(response);
  }

  private MetadataResponseTopic lookup(
      MetadataRequestData.MetadataRequestTopic wanted, boolean create) {
    if (wanted.name() == null) {
      Uuid id = wanted.topicId();
      return topics
          .byId(id)
          .map(this::describe)
          .orElseGet(() -> error(null, id, Errors.UNKNOWN_TOPIC_ID));
    }
    Optional<TopicMetadata> found = topics.byName(wanted.name());
    if (found.isPresent()) {
      return describe(found.get());
    }
    if (!create) {
      return error(wanted.name(), Uuid.ZERO_UUID, Errors.UNKNOWN_TOPIC_OR_PARTITION);
    }
    try {
      Topic.validate(wanted.name());
      return describe(topicManager.create(wanted.name(), -1, (short) -1, Map.of(), false));
    } catch (TopicExistsException raced) {
      return topics
          .byName(wanted.name())
          .map(this::describe)
          .orElseGet(() -> error(wanted.name(), Uuid.ZERO_UUID, Errors.LEADER_NOT_AVAILABLE));
    } catch (ApiException e) {
      return error(wanted.name(), Uuid.ZERO_UUID, Errors.forException(e));
    } catch (RuntimeException invalidName) {
      return error(wanted.name(), Uuid.ZERO_UUID, Errors.INVALID_TOPIC_EXCEPTION);
    }
  }

  private MetadataResponseTopic describe(TopicMetadata topic) {
    List<MetadataResponsePartition> partitions = new ArrayList<>(topic.partitionCount());
    List<TopicPartition> all = new ArrayList<>(topic.partitionCount());
    for (int p = 0; p < topic.partitionCount(); p++) {
      all.add(new TopicPartition(topic.name(), p));
    }
    cluster.prefetch(all);
    for (int p = 0; p < topic.partitionCount(); p++) {
      ClusterView.PartitionLeadership leadership =
          cluster.leadership(new TopicPartition(topic.name(), p));
      partitions.add(
          new MetadataResponsePartition()
              .setPartitionIndex(p)
              .setLeaderId(leadership.leaderId())
              .setLeaderEpoch(leadership.leaderEpoch())
              .setReplicaNodes(leadership.replicas())
              .setIsrNodes(leadership.isr())
              .setOfflineReplicas(List.of())
              .setErrorCode(
                  leadership.leaderId() < 0
                      ? Errors.LEADER_NOT_AVAILABLE.code()
                      : Errors.NONE.code()));
    }
    return new MetadataResponseTopic()
        .setName(topic.name())
        .setTopicId(topic.topicId())
        .setIsInternal(Topic.isInternal(topic.name()))
        .setPartitions(partitions);
  }

  private static MetadataResponseTopic error(String name, Uuid id, Errors error) {
    return new MetadataResponseTopic()
        .setName(name)
        .setTopicId(id)
        .setErrorCode(error.code())
        .setPartitions(List.of());
  }
}
