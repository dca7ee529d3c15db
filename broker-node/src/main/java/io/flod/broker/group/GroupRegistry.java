package io.flod.broker.group;

import io.flod.broker.group.GroupStateLog.KeyValue;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The groups this coordinator holds, the topic → groups index behind the Event Hubs limit, and the
 * writes of group membership to the state log. Shared by {@link GroupMembership} and {@link
 * GroupCoordinator}.
 */
final class GroupRegistry {
  private static final Logger log = LoggerFactory.getLogger(GroupRegistry.class);
  private final GroupConfig config;
  private final GroupStateLog stateLog;
  private final Clock clock;
  private final Map<String, ConsumerGroup> groups = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> groupsByTopic = new ConcurrentHashMap<>();

  GroupRegistry(GroupConfig config, GroupStateLog stateLog, Clock clock) {
    this.config = config;
    this.stateLog = stateLog;
    this.clock = clock;
  }

  ConsumerGroup get(String groupId) {
    return groups.get(groupId);
  }

  ConsumerGroup getOrCreate(String groupId) {
    return groups.computeIfAbsent(groupId, id -> new ConsumerGroup(id, clock.millis()));
  }

  Collection<ConsumerGroup> all() {
    return groups.values();
  }

  /** Drops a group that a reload found deleted. */
  ConsumerGroup remove(String groupId) {
    return groups.remove(groupId);
  }

  void put(ConsumerGroup group) {
    groups.put(group.groupId, group);
  }

  /** Must hold the group's monitor. */
  void forget(ConsumerGroup group) {
    for (String topic : group.topics()) {
      Set<String> readers = groupsByTopic.get(topic);
      if (readers != null) {
        readers.remove(group.groupId);
      }
    }
    group.transitionTo(GroupState.DEAD, clock.millis());
    groups.remove(group.groupId, group);
  }

  /**
   * Event Hubs allows a topic a fixed number of consumer groups, {@value
   * GroupCoordinator#DEFAULT_GROUP} included. A group already reading a topic is always within the
   * limit.
   */
  boolean withinGroupsPerTopicLimit(ConsumerGroup group, Set<String> topics) {
    if (group.groupId.equals(GroupCoordinator.DEFAULT_GROUP)) {
      return true;
    }
    for (String topic : topics) {
      Set<String> readers = groupsByTopic.getOrDefault(topic, Set.of());
      if (readers.contains(group.groupId)) {
        continue;
      }
      long others = readers.stream().filter(g -> !g.equals(GroupCoordinator.DEFAULT_GROUP)).count();
      if (others + 2 > config.maxGroupsPerTopic()) {
        log.warn(
            "group={} refused on topic={}: it already has {} consumer groups plus $Default (limit {})",
            group.groupId,
            topic,
            others,
            config.maxGroupsPerTopic());
        return false;
      }
    }
    return true;
  }

  void indexTopic(String groupId, String topic) {
    groupsByTopic.computeIfAbsent(topic, t -> ConcurrentHashMap.newKeySet()).add(groupId);
  }

  void persistGroup(ConsumerGroup group) {
    stateLog.append(
        stateLog.partitionFor(group.groupId),
        List.of(
            new KeyValue(
                GroupStateRecords.groupKey(group.groupId), GroupStateRecords.groupValue(group))));
  }

  void persistGroupQuietly(ConsumerGroup group) {
    try {
      persistGroup(group);
    } catch (ApiException e) {
      log.warn("group={} could not store its empty state: {}", group.groupId, e.toString());
    }
  }

  Errors validateGroupId(String groupId) {
    return groupId == null || groupId.isEmpty() || groupId.length() > config.maxGroupIdLength()
        ? Errors.INVALID_GROUP_ID
        : null;
  }

  static Errors validateMember(ConsumerGroup group, String memberId, String groupInstanceId) {
    Errors fenced = checkStaticIdentity(group, memberId, groupInstanceId);
    if (fenced != null) {
      return fenced;
    }
    return group.members.containsKey(memberId) ? null : Errors.UNKNOWN_MEMBER_ID;
  }

  static Errors checkStaticIdentity(ConsumerGroup group, String memberId, String groupInstanceId) {
    if (groupInstanceId == null) {
      return null;
    }
    String current = group.staticMembers.get(groupInstanceId);
    return current != null && !current.equals(memberId) ? Errors.FENCED_INSTANCE_ID : null;
  }
}
