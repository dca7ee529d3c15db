package io.flod.broker.auth;

import io.flod.broker.metadata.TopicMetadata;
import io.flod.broker.metadata.TopicRegistry;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.CreatePartitionsRequest;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.DeleteTopicsRequest;
import org.apache.kafka.common.requests.DescribeConfigsRequest;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.IncrementalAlterConfigsRequest;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.OffsetCommitRequest;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochRequest;
import org.apache.kafka.common.requests.ProduceRequest;

/**
 * Which right each Kafka API needs, checked before the request runs: send to produce, listen to
 * consume and to take part in consumer groups, manage for admin APIs; topic by topic where the
 * request names topics. Metadata answers are filtered afterwards to the topics the principal may
 * see. Coarser than Kafka in one way: a request naming one forbidden topic is refused whole.
 */
public final class AccessControl {
  private final SasAuthenticator authenticator;
  private final TopicRegistry topics;

  public AccessControl(SasAuthenticator authenticator, TopicRegistry topics) {
    this.authenticator = authenticator;
    this.topics = topics;
  }

  /** Null when the request may run, else the error to answer it with. */
  public ApiException check(Principal principal, ApiKeys api, AbstractRequest request) {
    if (principal.broker()) {
      return authenticator.permits(principal, Right.MANAGE, null)
          ? null
          : new ClusterAuthorizationException("The cluster's broker secret changed.");
    }
    switch (api) {
      case API_VERSIONS, METADATA, DESCRIBE_CLUSTER:
        return authenticator.current(principal)
            ? null
            : new TopicAuthorizationException("The credentials are no longer valid.");
      case DESCRIBE_CONFIGS:
        {
          List<String> names = new ArrayList<>();
          for (var resource : ((DescribeConfigsRequest) request).data().resources()) {
            if (resource.resourceType() != ConfigResource.Type.TOPIC.id()) {
              return authenticator.permitsSomewhere(principal, Right.MANAGE)
                  ? null
                  : new ClusterAuthorizationException("Broker configs need the manage right.");
            }
            names.add(resource.resourceName());
          }
          for (String name : names) {
            if (!maySee(principal, name) && !authenticator.permits(principal, Right.MANAGE, name)) {
              return new TopicAuthorizationException("Not authorized to describe topic " + name);
            }
          }
          return null;
        }
      case INCREMENTAL_ALTER_CONFIGS:
        {
          List<String> names = new ArrayList<>();
          for (var resource : ((IncrementalAlterConfigsRequest) request).data().resources()) {
            if (resource.resourceType() != ConfigResource.Type.TOPIC.id()) {
              return authenticator.permits(principal, Right.MANAGE, null)
                  ? null
                  : new ClusterAuthorizationException("Broker configs need the manage right.");
            }
            names.add(resource.resourceName());
          }
          return topicsNeed(principal, Right.MANAGE, names);
        }
      case PRODUCE:
        {
          List<String> names = new ArrayList<>();
          ProduceRequest produce = (ProduceRequest) request;
          produce.data().topicData().forEach(t -> names.add(name(t.name(), t.topicId())));
          ApiException denied = topicsNeed(principal, Right.SEND, names);
          return denied != null || principal.scope().publisher() == null
              ? denied
              : PublisherPolicy.check(principal, produce, names, authenticator);
        }
      case INIT_PRODUCER_ID:
        return somewhere(principal, Right.SEND);
      case FETCH:
        {
          List<String> names = new ArrayList<>();
          ((FetchRequest) request)
              .data()
              .topics()
              .forEach(t -> names.add(name(t.topic(), t.topicId())));
          return topicsNeed(principal, Right.LISTEN, names);
        }
      case LIST_OFFSETS:
        return topicsNeed(
            principal,
            Right.LISTEN,
            ((ListOffsetsRequest) request).data().topics().stream().map(t -> t.name()).toList());
      case OFFSET_FOR_LEADER_EPOCH:
        return topicsNeed(
            principal,
            Right.LISTEN,
            ((OffsetsForLeaderEpochRequest) request)
                .data().topics().stream().map(t -> t.topic()).toList());
      case OFFSET_COMMIT:
        return topicsNeed(
            principal,
            Right.LISTEN,
            ((OffsetCommitRequest) request).data().topics().stream().map(t -> t.name()).toList());
      case FIND_COORDINATOR,
      JOIN_GROUP,
      SYNC_GROUP,
      HEARTBEAT,
      LEAVE_GROUP,
      OFFSET_FETCH,
      LIST_GROUPS,
      DESCRIBE_GROUPS:
        return authenticator.permitsSomewhere(principal, Right.LISTEN)
            ? null
            : new GroupAuthorizationException("Consumer groups need the listen right.");
      case CREATE_TOPICS:
        return topicsNeed(
            principal,
            Right.MANAGE,
            ((CreateTopicsRequest) request).data().topics().stream().map(t -> t.name()).toList());
      case DELETE_TOPICS:
        return topicsNeed(principal, Right.MANAGE, ((DeleteTopicsRequest) request).topicNames());
      case CREATE_PARTITIONS:
        return topicsNeed(
            principal,
            Right.MANAGE,
            ((CreatePartitionsRequest) request)
                .data().topics().stream().map(t -> t.name()).toList());
      default:
        // Every other API (group deletion, offsets deletion) administers the cluster's groups.
        return authenticator.permitsSomewhere(principal, Right.MANAGE)
            ? null
            : new ClusterAuthorizationException("This operation needs the manage right.");
    }
  }

  /** Removes from a Metadata answer the topics the principal may not see. */
  public void filter(Principal principal, MetadataRequest request, ApiMessage response) {
    if (principal.broker() || !(response instanceof MetadataResponseData data)) {
      return;
    }
    boolean named = !request.isAllTopics();
    var visible = new MetadataResponseData.MetadataResponseTopicCollection();
    for (MetadataResponseData.MetadataResponseTopic topic : data.topics()) {
      MetadataResponseData.MetadataResponseTopic copy = topic.duplicate();
      if (maySee(principal, topic.name())) {
        visible.add(copy);
      } else if (named) {
        visible.add(
            copy.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code())
                .setPartitions(new ArrayList<>()));
      }
    }
    data.setTopics(visible);
  }

  /** A topic is visible to whoever may send to it or listen to it; internal topics to no one. */
  private boolean maySee(Principal principal, String topic) {
    return topic != null
        && !Topic.isInternal(topic)
        && (authenticator.permits(principal, Right.LISTEN, topic)
            || authenticator.permits(principal, Right.SEND, topic));
  }

  private ApiException topicsNeed(Principal principal, Right right, List<String> names) {
    for (String name : names) {
      if (name == null || !authenticator.permits(principal, right, name)) {
        return new TopicAuthorizationException(
            "Not authorized to "
                + right.name().toLowerCase()
                + (name == null ? " (unknown topic id)" : " on topic " + name));
      }
    }
    return null;
  }

  private ApiException somewhere(Principal principal, Right right) {
    return authenticator.permitsSomewhere(principal, right)
        ? null
        : new TopicAuthorizationException("Not authorized to " + right.name().toLowerCase());
  }

  private String name(String name, Uuid topicId) {
    if (name != null && !name.isEmpty()) {
      return name;
    }
    return topicId == null ? null : topics.byId(topicId).map(TopicMetadata::name).orElse(null);
  }
}
