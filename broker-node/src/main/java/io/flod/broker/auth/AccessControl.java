package io.flod.broker.auth;

import io.flod.broker.group.GroupCoordinator;
import io.flod.broker.group.MemberProtocol;
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
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.CreatePartitionsRequest;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.DeleteGroupsRequest;
import org.apache.kafka.common.requests.DeleteTopicsRequest;
import org.apache.kafka.common.requests.DescribeConfigsRequest;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.HeartbeatRequest;
import org.apache.kafka.common.requests.IncrementalAlterConfigsRequest;
import org.apache.kafka.common.requests.JoinGroupRequest;
import org.apache.kafka.common.requests.LeaveGroupRequest;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.OffsetCommitRequest;
import org.apache.kafka.common.requests.OffsetDeleteRequest;
import org.apache.kafka.common.requests.OffsetFetchRequest;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochRequest;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.SyncGroupRequest;

/**
 * Which right each Kafka API needs, checked before the request runs: send to produce, listen to
 * consume, manage for admin APIs; topic by topic where the request names topics. Consumer groups
 * belong to the topics they use ({@link GroupAccess}). Metadata answers are filtered afterwards to
 * the topics the principal may see, group listings to the groups it may see. Coarser than Kafka in
 * one way: a request naming one forbidden topic is refused whole.
 */
public final class AccessControl {
  private final SasAuthenticator authenticator;
  private final TopicRegistry topics;
  private final GroupAccess groups;

  /**
   * @param topicsOfGroup the topics a group coordinated here uses (empty for a new group or one
   *     coordinated elsewhere, which answers NOT_COORDINATOR anyway)
   */
  public AccessControl(
      SasAuthenticator authenticator,
      TopicRegistry topics,
      java.util.function.Function<String, java.util.Set<String>> topicsOfGroup) {
    this.authenticator = authenticator;
    this.topics = topics;
    this.groups = new GroupAccess(authenticator, topicsOfGroup);
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
        {
          OffsetCommitRequest commit = (OffsetCommitRequest) request;
          List<String> names = new ArrayList<>();
          commit.data().topics().forEach(t -> names.add(name(t.name(), t.topicId())));
          ApiException denied = topicsNeed(principal, Right.LISTEN, names);
          return denied != null
              ? denied
              : groups.need(principal, Right.LISTEN, commit.data().groupId(), names);
        }
      case JOIN_GROUP:
        {
          JoinGroupRequest join = (JoinGroupRequest) request;
          List<MemberProtocol> protocols = new ArrayList<>();
          join.data()
              .protocols()
              .forEach(p -> protocols.add(new MemberProtocol(p.name(), p.metadata())));
          return groups.need(
              principal,
              Right.LISTEN,
              join.data().groupId(),
              GroupCoordinator.subscribedTopics(protocols));
        }
      case SYNC_GROUP:
        return groups.need(
            principal, Right.LISTEN, ((SyncGroupRequest) request).data().groupId(), List.of());
      case HEARTBEAT:
        return groups.need(
            principal, Right.LISTEN, ((HeartbeatRequest) request).data().groupId(), List.of());
      case LEAVE_GROUP:
        return groups.need(
            principal, Right.LISTEN, ((LeaveGroupRequest) request).data().groupId(), List.of());
      case OFFSET_FETCH:
        return offsetFetch(principal, (OffsetFetchRequest) request);
      case FIND_COORDINATOR, LIST_GROUPS, DESCRIBE_GROUPS:
        // Answers are filtered to the groups the principal may see (see filter).
        return authenticator.permitsSomewhere(principal, Right.LISTEN)
            ? null
            : new GroupAuthorizationException("Consumer groups need the listen right.");
      case DELETE_GROUPS:
        for (String group : ((DeleteGroupsRequest) request).data().groupsNames()) {
          ApiException denied = groups.need(principal, Right.MANAGE, group, List.of());
          if (denied != null) {
            return denied;
          }
        }
        return null;
      case OFFSET_DELETE:
        {
          OffsetDeleteRequest delete = (OffsetDeleteRequest) request;
          List<String> names = new ArrayList<>();
          delete.data().topics().forEach(t -> names.add(t.name()));
          return groups.need(principal, Right.MANAGE, delete.data().groupId(), names);
        }
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
        // Every other API administers the cluster.
        return authenticator.permitsSomewhere(principal, Right.MANAGE)
            ? null
            : new ClusterAuthorizationException("This operation needs the manage right.");
    }
  }

  private ApiException offsetFetch(Principal principal, OffsetFetchRequest request) {
    if (request.data().groups().isEmpty()) {
      List<String> names = new ArrayList<>();
      if (request.data().topics() != null) {
        request.data().topics().forEach(t -> names.add(t.name()));
      }
      ApiException denied = topicsNeed(principal, Right.LISTEN, names);
      return denied != null
          ? denied
          : groups.need(principal, Right.LISTEN, request.data().groupId(), names);
    }
    for (var group : request.data().groups()) {
      List<String> names = new ArrayList<>();
      if (group.topics() != null) {
        group.topics().forEach(t -> names.add(name(t.name(), t.topicId())));
      }
      ApiException denied = topicsNeed(principal, Right.LISTEN, names);
      if (denied == null) {
        denied = groups.need(principal, Right.LISTEN, group.groupId(), names);
      }
      if (denied != null) {
        return denied;
      }
    }
    return null;
  }

  /**
   * Removes from an answer what the principal may not see: topics from Metadata, groups from
   * ListGroups; DescribeGroups answers such a group with GROUP_AUTHORIZATION_FAILED.
   */
  public void filter(Principal principal, AbstractRequest request, ApiMessage response) {
    if (principal.broker()) {
      return;
    }
    if (response instanceof ListGroupsResponseData listed) {
      listed.groups().removeIf(g -> !groups.maySee(principal, g.groupId()));
      return;
    }
    if (response instanceof DescribeGroupsResponseData described) {
      for (DescribeGroupsResponseData.DescribedGroup group : described.groups()) {
        if (!groups.maySee(principal, group.groupId())) {
          group
              .setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code())
              .setGroupState("")
              .setProtocolType("")
              .setProtocolData("")
              .setMembers(new ArrayList<>());
        }
      }
      return;
    }
    if (request instanceof MetadataRequest metadata
        && response instanceof MetadataResponseData data) {
      filterTopics(principal, metadata, data);
    }
  }

  private void filterTopics(
      Principal principal, MetadataRequest request, MetadataResponseData data) {
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
