package io.flod.broker.group;

import io.flod.broker.group.GroupStateLog.KeyValue;
import io.flod.broker.group.GroupStateRecords.GroupEntry;
import io.flod.broker.group.GroupStateRecords.OffsetEntry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The group coordinator for the classic consumer-group protocol: membership and rebalances
 * (JoinGroup, SyncGroup, Heartbeat, LeaveGroup, session expiry, static members), committed offsets,
 * and the Event Hubs rules on top ({@value #DEFAULT_GROUP} exists for every topic; a topic has at
 * most {@code consumer.groups.per.topic.max} groups).
 *
 * <p>Durability: offsets and each new generation's membership are appended to the {@link
 * GroupStateLog} before a request is answered; in-memory state is only a view of that log, rebuilt
 * by {@link #loadPartition} when this broker becomes a partition's coordinator.
 *
 * <p>Thread-safety: each {@link ConsumerGroup} is guarded by its own monitor and no code holds two
 * groups' monitors at once; the topic → groups index is a concurrent map read without them.
 */
public final class GroupCoordinator {
  public static final String DEFAULT_GROUP = "$Default";
  private static final Logger log = LoggerFactory.getLogger(GroupCoordinator.class);

  /** A JoinGroup request, decoded. */
  public record JoinRequest(
      String groupId,
      String memberId,
      String groupInstanceId,
      String clientId,
      String clientHost,
      int rebalanceTimeoutMs,
      int sessionTimeoutMs,
      String protocolType,
      List<MemberProtocol> protocols,
      boolean requireKnownMemberId,
      boolean supportsSkipAssignment) {}

  /** Who a LeaveGroup names. */
  public record MemberIdentity(String memberId, String groupInstanceId) {}

  /** A group as DescribeGroups shows it. */
  public record GroupDescription(
      String groupId,
      String state,
      String protocolType,
      String protocolName,
      List<MemberDescription> members) {}

  public record MemberDescription(
      String memberId,
      String groupInstanceId,
      String clientId,
      String clientHost,
      byte[] metadata,
      byte[] assignment) {}

  /** A group as ListGroups shows it. */
  public record GroupListing(String groupId, String protocolType, String state) {}

  private final GroupConfig config;
  private final GroupStateLog stateLog;
  private final Predicate<TopicPartition> partitionExists;
  private final ScheduledExecutorService scheduler;
  private final Clock clock;
  private final GroupRegistry registry;
  private final GroupMembership membership;

  /** The state-log partitions this broker leads, and so the groups it coordinates. */
  private final Set<Integer> ownedPartitions = ConcurrentHashMap.newKeySet();

  public GroupCoordinator(
      GroupConfig config,
      GroupStateLog stateLog,
      Predicate<TopicPartition> partitionExists,
      ScheduledExecutorService scheduler,
      Clock clock) {
    this.config = config;
    this.stateLog = stateLog;
    this.partitionExists = partitionExists;
    this.scheduler = scheduler;
    this.clock = clock;
    this.registry = new GroupRegistry(config, stateLog, clock);
    this.membership = new GroupMembership(config, registry, scheduler, clock);
  }

  /** Loads every partition of the state log (a standalone broker coordinates them all). */
  public void start() {
    for (int p = 0; p < stateLog.partitionCount(); p++) {
      loadPartition(p);
    }
    startOffsetExpiry();
  }

  /**
   * Starts expiring offsets only; in cluster mode partitions are loaded and unloaded as this broker
   * gains and loses their leadership.
   */
  public void startOffsetExpiry() {
    scheduler.scheduleWithFixedDelay(
        this::expireOffsets,
        config.offsetsRetentionCheckIntervalMs(),
        config.offsetsRetentionCheckIntervalMs(),
        TimeUnit.MILLISECONDS);
  }

  // ---------------------------------------------------------------- membership

  public CompletableFuture<JoinResult> join(JoinRequest request) {
    if (!owns(request.groupId())) {
      return CompletableFuture.completedFuture(
          JoinResult.error(Errors.NOT_COORDINATOR, request.memberId()));
    }
    return membership.join(request);
  }

  public CompletableFuture<SyncResult> sync(
      String groupId,
      int generationId,
      String memberId,
      String groupInstanceId,
      String protocolType,
      String protocolName,
      Map<String, byte[]> assignments) {
    if (!owns(groupId)) {
      return CompletableFuture.completedFuture(SyncResult.error(Errors.NOT_COORDINATOR));
    }
    return membership.sync(
        groupId, generationId, memberId, groupInstanceId, protocolType, protocolName, assignments);
  }

  public Errors heartbeat(
      String groupId, String memberId, String groupInstanceId, int generationId) {
    if (!owns(groupId)) {
      return Errors.NOT_COORDINATOR;
    }
    return membership.heartbeat(groupId, memberId, groupInstanceId, generationId);
  }

  /** Removes the named members; returns each one's error (NONE when it left). */
  public List<Errors> leave(String groupId, List<MemberIdentity> leaving) {
    if (!owns(groupId)) {
      return leaving.stream().map(m -> Errors.NOT_COORDINATOR).toList();
    }
    return membership.leave(groupId, leaving);
  }

  // ---------------------------------------------------------------- offsets

  /**
   * Commits offsets for a group member (or, with generation -1 and no member id, for a consumer
   * using assign() outside any generation). Returns each partition's error.
   */
  public Map<TopicPartition, Errors> commit(
      String groupId,
      String memberId,
      String groupInstanceId,
      int generationId,
      Map<TopicPartition, CommittedOffset> offsets) {
    if (!owns(groupId)) {
      Map<TopicPartition, Errors> notHere = new HashMap<>();
      offsets.keySet().forEach(tp -> notHere.put(tp, Errors.NOT_COORDINATOR));
      return notHere;
    }
    Map<TopicPartition, Errors> results = new HashMap<>();
    Errors invalid = registry.validateGroupId(groupId);
    boolean simple = generationId < 0 && memberId.isEmpty();
    ConsumerGroup group =
        invalid != null ? null : simple ? registry.getOrCreate(groupId) : registry.get(groupId);
    if (group == null) {
      offsets
          .keySet()
          .forEach(tp -> results.put(tp, invalid != null ? invalid : Errors.UNKNOWN_MEMBER_ID));
      return results;
    }
    synchronized (group) {
      Errors error = null;
      if (group.is(GroupState.DEAD)) {
        error = Errors.COORDINATOR_NOT_AVAILABLE;
      } else if (!(simple && group.is(GroupState.EMPTY))) {
        error = GroupRegistry.validateMember(group, memberId, groupInstanceId);
        if (error == null && generationId != group.generationId) {
          error = Errors.ILLEGAL_GENERATION;
        } else if (error == null && group.is(GroupState.COMPLETING_REBALANCE)) {
          error = Errors.REBALANCE_IN_PROGRESS;
        }
      }
      if (error != null) {
        Errors e = error;
        offsets.keySet().forEach(tp -> results.put(tp, e));
        return results;
      }
      List<KeyValue> records = new ArrayList<>();
      Map<TopicPartition, CommittedOffset> accepted = new HashMap<>();
      for (Map.Entry<TopicPartition, CommittedOffset> e : offsets.entrySet()) {
        TopicPartition tp = e.getKey();
        String metadata = e.getValue().metadata() == null ? "" : e.getValue().metadata();
        if (metadata.length() > config.offsetMetadataMaxBytes()) {
          results.put(tp, Errors.OFFSET_METADATA_TOO_LARGE);
        } else if (!partitionExists.test(tp)) {
          results.put(tp, Errors.UNKNOWN_TOPIC_OR_PARTITION);
        } else if (!group.topics().contains(tp.topic())
            && !registry.withinGroupsPerTopicLimit(group, Set.of(tp.topic()))) {
          results.put(tp, Errors.POLICY_VIOLATION);
        } else {
          CommittedOffset committed =
              new CommittedOffset(
                  e.getValue().offset(), e.getValue().leaderEpoch(), metadata, clock.millis());
          accepted.put(tp, committed);
          records.add(
              new KeyValue(
                  GroupStateRecords.offsetKey(groupId, tp),
                  GroupStateRecords.offsetValue(committed)));
        }
      }
      if (records.isEmpty()) {
        return results;
      }
      try {
        stateLog.append(stateLog.partitionFor(groupId), records);
      } catch (ApiException e) {
        log.warn("group={} offset commit could not be stored: {}", groupId, e.toString());
        accepted.keySet().forEach(tp -> results.put(tp, Errors.COORDINATOR_NOT_AVAILABLE));
        return results;
      }
      group.offsets.putAll(accepted);
      accepted
          .keySet()
          .forEach(
              tp -> {
                results.put(tp, Errors.NONE);
                registry.indexTopic(groupId, tp.topic());
              });
      return results;
    }
  }

  /** Committed offsets of a group: all of them, or those of {@code partitions} that exist. */
  public Map<TopicPartition, CommittedOffset> committed(
      String groupId, List<TopicPartition> partitions) {
    requireOwned(groupId);
    ConsumerGroup group = registry.get(groupId);
    if (group == null) {
      return Map.of();
    }
    synchronized (group) {
      if (partitions == null) {
        return new HashMap<>(group.offsets);
      }
      Map<TopicPartition, CommittedOffset> found = new HashMap<>();
      for (TopicPartition tp : partitions) {
        CommittedOffset offset = group.offsets.get(tp);
        if (offset != null) {
          found.put(tp, offset);
        }
      }
      return found;
    }
  }

  /** OffsetDelete: forgets a group's offsets in partitions of topics it no longer subscribes to. */
  public Map<TopicPartition, Errors> deleteOffsets(
      String groupId, List<TopicPartition> partitions) {
    requireOwned(groupId);
    ConsumerGroup group = registry.get(groupId);
    if (group == null) {
      throw Errors.GROUP_ID_NOT_FOUND.exception();
    }
    Map<TopicPartition, Errors> results = new HashMap<>();
    synchronized (group) {
      if (group.is(GroupState.DEAD)) {
        throw Errors.GROUP_ID_NOT_FOUND.exception();
      }
      Set<String> subscribed = group.is(GroupState.EMPTY) ? Set.of() : group.subscribedTopics();
      List<KeyValue> records = new ArrayList<>();
      List<TopicPartition> removed = new ArrayList<>();
      for (TopicPartition tp : partitions) {
        if (subscribed.contains(tp.topic())) {
          results.put(tp, Errors.GROUP_SUBSCRIBED_TO_TOPIC);
        } else {
          results.put(tp, Errors.NONE);
          if (group.offsets.containsKey(tp)) {
            records.add(new KeyValue(GroupStateRecords.offsetKey(groupId, tp), null));
            removed.add(tp);
          }
        }
      }
      if (!records.isEmpty()) {
        stateLog.append(stateLog.partitionFor(groupId), records);
        removed.forEach(group.offsets::remove);
      }
    }
    return results;
  }

  // ---------------------------------------------------------------- inspection

  /**
   * The topics a group uses (its members' subscriptions and its committed offsets), or an empty set
   * when the group is new or coordinated elsewhere: what deciding who may touch the group needs.
   */
  public Set<String> topicsOf(String groupId) {
    ConsumerGroup group = registry.get(groupId);
    if (group == null) {
      return Set.of();
    }
    synchronized (group) {
      return Set.copyOf(group.topics());
    }
  }

  /** The topics a joining member's protocols subscribe to (consumer protocol only). */
  public static Set<String> subscribedTopics(java.util.Collection<MemberProtocol> protocols) {
    return ConsumerGroup.subscriptionTopics(protocols);
  }

  public List<GroupListing> list(Set<String> statesFilter) {
    List<GroupListing> listings = new ArrayList<>();
    boolean defaultListed = false;
    for (ConsumerGroup group : registry.all()) {
      synchronized (group) {
        if (group.is(GroupState.DEAD) || !owns(group.groupId)) {
          continue;
        }
        String type =
            group.protocolType == null ? ConsumerGroup.CONSUMER_PROTOCOL_TYPE : group.protocolType;
        listings.add(new GroupListing(group.groupId, type, group.state().clientName()));
        defaultListed |= group.groupId.equals(DEFAULT_GROUP);
      }
    }
    if (!defaultListed) {
      listings.add(
          new GroupListing(
              DEFAULT_GROUP, ConsumerGroup.CONSUMER_PROTOCOL_TYPE, GroupState.EMPTY.clientName()));
    }
    if (statesFilter != null && !statesFilter.isEmpty()) {
      listings.removeIf(l -> statesFilter.stream().noneMatch(s -> s.equalsIgnoreCase(l.state())));
    }
    return listings;
  }

  public GroupDescription describe(String groupId) {
    requireOwned(groupId);
    ConsumerGroup group = registry.get(groupId);
    if (group == null) {
      boolean always = DEFAULT_GROUP.equals(groupId);
      return new GroupDescription(
          groupId,
          always ? GroupState.EMPTY.clientName() : GroupState.DEAD.clientName(),
          always ? ConsumerGroup.CONSUMER_PROTOCOL_TYPE : "",
          "",
          List.of());
    }
    synchronized (group) {
      List<MemberDescription> members = new ArrayList<>();
      boolean stable = group.is(GroupState.STABLE);
      for (GroupMember m : group.members.values()) {
        byte[] metadata = group.protocolName == null ? null : m.metadata(group.protocolName);
        members.add(
            new MemberDescription(
                m.memberId,
                m.groupInstanceId,
                m.clientId,
                m.clientHost,
                metadata == null ? new byte[0] : metadata,
                stable ? m.assignment : new byte[0]));
      }
      return new GroupDescription(
          groupId,
          group.state().clientName(),
          group.protocolType == null ? ConsumerGroup.CONSUMER_PROTOCOL_TYPE : group.protocolType,
          stable ? group.protocolName : "",
          members);
    }
  }

  /** Deletes an empty group and its offsets. */
  public Errors delete(String groupId) {
    if (!owns(groupId)) {
      return Errors.NOT_COORDINATOR;
    }
    ConsumerGroup group = registry.get(groupId);
    if (group == null) {
      return Errors.GROUP_ID_NOT_FOUND;
    }
    synchronized (group) {
      if (group.is(GroupState.DEAD)) {
        return Errors.GROUP_ID_NOT_FOUND;
      }
      if (!group.is(GroupState.EMPTY)) {
        return Errors.NON_EMPTY_GROUP;
      }
      List<KeyValue> records = new ArrayList<>();
      group
          .offsets
          .keySet()
          .forEach(tp -> records.add(new KeyValue(GroupStateRecords.offsetKey(groupId, tp), null)));
      records.add(new KeyValue(GroupStateRecords.groupKey(groupId), null));
      stateLog.append(stateLog.partitionFor(groupId), records);
      registry.forget(group);
      log.info("group={} deleted with {} committed offsets", groupId, group.offsets.size());
      return Errors.NONE;
    }
  }

  // ---------------------------------------------------------------- retention and loading

  /**
   * Offsets of a group that has been empty for {@code offsets.retention.minutes} are removed; a
   * group used only for commits (no members ever) loses each offset that long after its commit.
   */
  void expireOffsets() {
    long now = clock.millis();
    for (ConsumerGroup group : registry.all()) {
      synchronized (group) {
        if (!group.is(GroupState.EMPTY)) {
          continue;
        }
        List<TopicPartition> expired = new ArrayList<>();
        for (Map.Entry<TopicPartition, CommittedOffset> e : group.offsets.entrySet()) {
          long since =
              group.protocolType == null ? e.getValue().commitTimestampMs() : group.emptySinceMs;
          if (now - since >= config.offsetsRetentionMs()) {
            expired.add(e.getKey());
          }
        }
        if (expired.isEmpty() && !group.offsets.isEmpty()) {
          continue;
        }
        List<KeyValue> records = new ArrayList<>();
        expired.forEach(
            tp -> records.add(new KeyValue(GroupStateRecords.offsetKey(group.groupId, tp), null)));
        boolean groupGone = expired.size() == group.offsets.size();
        if (groupGone) {
          records.add(new KeyValue(GroupStateRecords.groupKey(group.groupId), null));
        }
        try {
          stateLog.append(stateLog.partitionFor(group.groupId), records);
        } catch (ApiException e) {
          log.warn("group={} offset expiry could not be stored: {}", group.groupId, e.toString());
          continue;
        }
        expired.forEach(group.offsets::remove);
        log.info("group={} {} committed offsets expired", group.groupId, expired.size());
        if (groupGone) {
          registry.forget(group);
        }
      }
    }
  }

  /** Rebuilds the groups of one state-log partition from its records, newest record winning. */
  public void loadPartition(int partition) {
    long started = clock.millis();
    int[] count = new int[1];
    stateLog.replay(
        partition,
        (key, value) -> {
          GroupStateRecords.Entry entry = GroupStateRecords.decode(key, value);
          if (entry != null) {
            apply(entry);
            count[0]++;
          }
        });
    for (ConsumerGroup group : registry.all()) {
      synchronized (group) {
        if (stateLog.partitionFor(group.groupId) != partition) {
          continue;
        }
        group.topics().forEach(t -> registry.indexTopic(group.groupId, t));
        for (GroupMember member : group.members.values()) {
          membership.resetSession(group, member);
        }
      }
    }
    ownedPartitions.add(partition);
    if (count[0] > 0) {
      log.info(
          "offsets partition {} loaded: {} records in {} ms",
          partition,
          count[0],
          clock.millis() - started);
    }
  }

  /**
   * Gives up a state-log partition (its leadership moved away): its groups are dropped from memory,
   * their parked requests answered NOT_COORDINATOR, and later requests for them get the same, which
   * sends clients to FindCoordinator and the new leader, which replays the partition.
   */
  public void unloadPartition(int partition) {
    ownedPartitions.remove(partition);
    int dropped = 0;
    for (ConsumerGroup group : registry.all()) {
      if (stateLog.partitionFor(group.groupId) != partition) {
        continue;
      }
      synchronized (group) {
        membership.abandon(group);
        if (!group.is(GroupState.DEAD)) {
          registry.forget(group);
        }
      }
      dropped++;
    }
    log.info("offsets partition {} unloaded: {} groups handed over", partition, dropped);
  }

  /** Whether this coordinator has state-log partition {@code partition} loaded. */
  public boolean isLoaded(int partition) {
    return ownedPartitions.contains(partition);
  }

  private boolean owns(String groupId) {
    return ownedPartitions.contains(stateLog.partitionFor(groupId));
  }

  private void requireOwned(String groupId) {
    if (!owns(groupId)) {
      throw Errors.NOT_COORDINATOR.exception("This broker does not coordinate group " + groupId);
    }
  }

  private void apply(GroupStateRecords.Entry entry) {
    if (entry instanceof OffsetEntry offset) {
      ConsumerGroup group = registry.getOrCreate(offset.groupId());
      synchronized (group) {
        if (offset.offset() == null) {
          group.offsets.remove(offset.partition());
        } else {
          group.offsets.put(offset.partition(), offset.offset());
        }
      }
    } else if (entry instanceof GroupEntry stored) {
      if (stored.members() == null) {
        ConsumerGroup removed = registry.remove(stored.groupId());
        if (removed != null && !removed.offsets.isEmpty()) {
          registry.put(removed); // later commits outlive an older tombstone
        }
        return;
      }
      ConsumerGroup group = registry.getOrCreate(stored.groupId());
      synchronized (group) {
        group.members.clear();
        group.staticMembers.clear();
        group.protocolType = stored.protocolType().isEmpty() ? null : stored.protocolType();
        group.generationId = stored.generationId();
        group.protocolName = stored.protocolName();
        group.leaderId = stored.leaderId();
        for (GroupStateRecords.StoredMember m : stored.members()) {
          GroupMember member =
              new GroupMember(
                  m.memberId(),
                  m.groupInstanceId(),
                  m.clientId(),
                  m.clientHost(),
                  m.rebalanceTimeoutMs(),
                  m.sessionTimeoutMs(),
                  group.protocolType,
                  List.of(new MemberProtocol(stored.protocolName(), m.metadata())));
          member.assignment = m.assignment();
          group.members.put(m.memberId(), member);
          if (m.groupInstanceId() != null) {
            group.staticMembers.put(m.groupInstanceId(), m.memberId());
          }
        }
        group.restoreState(group.members.isEmpty() ? GroupState.EMPTY : GroupState.STABLE);
      }
    }
  }

  private static <T> CompletableFuture<T> done(T value) {
    return CompletableFuture.completedFuture(value);
  }
}
