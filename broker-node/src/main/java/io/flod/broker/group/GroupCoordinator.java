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
import java.util.UUID;
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
  private final Map<String, ConsumerGroup> groups = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> groupsByTopic = new ConcurrentHashMap<>();

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
  }

  /** Loads every partition of the state log (a standalone broker coordinates them all). */
  public void start() {
    for (int p = 0; p < stateLog.partitionCount(); p++) {
      loadPartition(p);
    }
    scheduler.scheduleWithFixedDelay(
        this::expireOffsets,
        config.offsetsRetentionCheckIntervalMs(),
        config.offsetsRetentionCheckIntervalMs(),
        TimeUnit.MILLISECONDS);
  }

  // ---------------------------------------------------------------- membership

  public CompletableFuture<JoinResult> join(JoinRequest request) {
    Errors invalid = validateGroupId(request.groupId());
    if (invalid != null) {
      return done(JoinResult.error(invalid, request.memberId()));
    }
    if (request.sessionTimeoutMs() < config.minSessionTimeoutMs()
        || request.sessionTimeoutMs() > config.maxSessionTimeoutMs()) {
      return done(JoinResult.error(Errors.INVALID_SESSION_TIMEOUT, request.memberId()));
    }
    ConsumerGroup group =
        request.memberId().isEmpty()
            ? groups.computeIfAbsent(request.groupId(), id -> new ConsumerGroup(id, clock.millis()))
            : groups.get(request.groupId());
    if (group == null) {
      return done(JoinResult.error(Errors.UNKNOWN_MEMBER_ID, request.memberId()));
    }
    synchronized (group) {
      if (group.is(GroupState.DEAD)) {
        return done(JoinResult.error(Errors.COORDINATOR_NOT_AVAILABLE, request.memberId()));
      }
      if (!group.supports(request.protocolType(), request.protocols())) {
        return done(JoinResult.error(Errors.INCONSISTENT_GROUP_PROTOCOL, request.memberId()));
      }
      if (ConsumerGroup.CONSUMER_PROTOCOL_TYPE.equals(request.protocolType())) {
        Set<String> topics = ConsumerGroup.subscriptionTopics(request.protocols());
        if (!withinGroupsPerTopicLimit(group, topics)) {
          return done(JoinResult.error(Errors.POLICY_VIOLATION, request.memberId()));
        }
        topics.forEach(t -> indexTopic(group.groupId, t));
      }
      return request.memberId().isEmpty()
          ? joinNewMember(group, request)
          : joinKnownMember(group, request);
    }
  }

  private CompletableFuture<JoinResult> joinNewMember(ConsumerGroup group, JoinRequest request) {
    String memberId =
        (request.clientId().isEmpty() ? "member" : request.clientId()) + "-" + UUID.randomUUID();
    String instanceId = request.groupInstanceId();
    if (instanceId != null && group.staticMembers.containsKey(instanceId)) {
      return rejoinStaticMember(group, request, memberId);
    }
    if (instanceId == null && request.requireKnownMemberId()) {
      // KIP-394: hand out the id first, so a client that never comes back leaves no member behind.
      group.pendingMembers.add(memberId);
      scheduler.schedule(
          () -> {
            synchronized (group) {
              if (group.pendingMembers.remove(memberId)) {
                maybeCompleteJoin(group);
              }
            }
          },
          request.sessionTimeoutMs(),
          TimeUnit.MILLISECONDS);
      return done(JoinResult.error(Errors.MEMBER_ID_REQUIRED, memberId));
    }
    return addMember(group, request, memberId);
  }

  private CompletableFuture<JoinResult> addMember(
      ConsumerGroup group, JoinRequest request, String memberId) {
    if (group.members.size() >= config.maxGroupSize()) {
      return done(JoinResult.error(Errors.GROUP_MAX_SIZE_REACHED, memberId));
    }
    GroupMember member =
        new GroupMember(
            memberId,
            request.groupInstanceId(),
            request.clientId(),
            request.clientHost(),
            request.rebalanceTimeoutMs(),
            request.sessionTimeoutMs(),
            request.protocolType(),
            request.protocols());
    if (group.members.isEmpty()) {
      group.protocolType = request.protocolType();
    }
    group.members.put(memberId, member);
    if (member.isStatic()) {
      group.staticMembers.put(member.groupInstanceId, memberId);
    }
    if (group.leaderId == null) {
      group.leaderId = memberId;
    }
    return awaitJoin(group, member, "member " + memberId + " joined");
  }

  /**
   * KIP-345: a static member's new instance takes over its old member id and fences the old one.
   */
  private CompletableFuture<JoinResult> rejoinStaticMember(
      ConsumerGroup group, JoinRequest request, String newId) {
    String oldId = group.staticMembers.get(request.groupInstanceId());
    GroupMember member = group.members.remove(oldId);
    if (member == null) {
      group.staticMembers.remove(request.groupInstanceId());
      return addMember(group, request, newId);
    }
    if (member.awaitingJoin != null) {
      member.awaitingJoin.complete(JoinResult.error(Errors.FENCED_INSTANCE_ID, oldId));
      member.awaitingJoin = null;
    }
    if (member.awaitingSync != null) {
      member.awaitingSync.complete(SyncResult.error(Errors.FENCED_INSTANCE_ID));
      member.awaitingSync = null;
    }
    boolean sameProtocols = member.sameProtocols(request.protocols());
    member.memberId = newId;
    update(member, request);
    group.members.put(newId, member);
    group.staticMembers.put(request.groupInstanceId(), newId);
    boolean leader = oldId.equals(group.leaderId);
    if (leader) {
      group.leaderId = newId;
    }
    log.info(
        "group={} static member {} rejoined: member id {} replaces {}",
        group.groupId,
        request.groupInstanceId(),
        newId,
        oldId);
    if (group.is(GroupState.STABLE)
        && sameProtocols
        && (!leader || request.supportsSkipAssignment())) {
      // The assignment stands: no rebalance, the member syncs to get it back.
      resetSession(group, member);
      persistGroup(group);
      return done(currentGeneration(group, member, leader, leader));
    }
    return awaitJoin(group, member, "static member " + request.groupInstanceId() + " rejoined");
  }

  private CompletableFuture<JoinResult> joinKnownMember(ConsumerGroup group, JoinRequest request) {
    String memberId = request.memberId();
    Errors fenced = checkStaticIdentity(group, memberId, request.groupInstanceId());
    if (fenced != null) {
      return done(JoinResult.error(fenced, memberId));
    }
    GroupMember member = group.members.get(memberId);
    if (member == null) {
      if (group.pendingMembers.remove(memberId)) {
        return addMember(group, request, memberId);
      }
      return done(JoinResult.error(Errors.UNKNOWN_MEMBER_ID, memberId));
    }
    switch (group.state()) {
      case PREPARING_REBALANCE:
        update(member, request);
        return awaitJoin(group, member, null);
      case COMPLETING_REBALANCE:
        if (member.sameProtocols(request.protocols())) {
          // It missed the join response; give it the generation being formed.
          return done(currentGeneration(group, member, memberId.equals(group.leaderId), false));
        }
        update(member, request);
        return awaitJoin(group, member, "member " + memberId + " changed its subscription");
      case STABLE:
        if (!memberId.equals(group.leaderId) && member.sameProtocols(request.protocols())) {
          return done(currentGeneration(group, member, false, false));
        }
        update(member, request);
        return awaitJoin(group, member, "member " + memberId + " rejoined");
      default:
        return done(JoinResult.error(Errors.UNKNOWN_MEMBER_ID, memberId));
    }
  }

  private static void update(GroupMember member, JoinRequest request) {
    member.protocols = request.protocols();
    member.protocolType = request.protocolType();
    member.rebalanceTimeoutMs = request.rebalanceTimeoutMs();
    member.sessionTimeoutMs = request.sessionTimeoutMs();
    member.clientId = request.clientId();
    member.clientHost = request.clientHost();
  }

  /** Parks the member's join; starts a rebalance if none is under way ({@code reason} non-null). */
  private CompletableFuture<JoinResult> awaitJoin(
      ConsumerGroup group, GroupMember member, String reason) {
    CompletableFuture<JoinResult> future = new CompletableFuture<>();
    if (member.awaitingJoin != null) {
      member.awaitingJoin.complete(JoinResult.error(Errors.REBALANCE_IN_PROGRESS, member.memberId));
    }
    member.awaitingJoin = future;
    if (!group.is(GroupState.PREPARING_REBALANCE)) {
      prepareRebalance(group, reason == null ? "member " + member.memberId + " rejoined" : reason);
    }
    maybeCompleteJoin(group);
    return future;
  }

  private void prepareRebalance(ConsumerGroup group, String reason) {
    if (group.is(GroupState.COMPLETING_REBALANCE)) {
      for (GroupMember member : group.members.values()) {
        if (member.awaitingSync != null) {
          member.awaitingSync.complete(SyncResult.error(Errors.REBALANCE_IN_PROGRESS));
          member.awaitingSync = null;
        }
      }
    }
    boolean wasEmpty = group.is(GroupState.EMPTY);
    group.transitionTo(GroupState.PREPARING_REBALANCE, clock.millis());
    if (group.joinCompletion != null) {
      group.joinCompletion.cancel(false);
    }
    int delay =
        wasEmpty
            ? Math.min(config.initialRebalanceDelayMs(), Math.max(group.rebalanceTimeoutMs(), 0))
            : group.rebalanceTimeoutMs();
    group.initialJoinDelay = wasEmpty && delay > 0;
    group.joinCompletion =
        scheduler.schedule(
            () -> {
              synchronized (group) {
                group.initialJoinDelay = false;
                completeJoin(group);
              }
            },
            delay,
            TimeUnit.MILLISECONDS);
    log.info(
        "group={} rebalancing from generation {}: {}", group.groupId, group.generationId, reason);
  }

  private void maybeCompleteJoin(ConsumerGroup group) {
    if (group.is(GroupState.PREPARING_REBALANCE)
        && !group.initialJoinDelay
        && group.allMembersJoined()) {
      if (group.joinCompletion != null) {
        group.joinCompletion.cancel(false);
      }
      completeJoin(group);
    }
  }

  private void completeJoin(ConsumerGroup group) {
    if (!group.is(GroupState.PREPARING_REBALANCE)) {
      return;
    }
    group.pendingMembers.clear();
    for (GroupMember member : new ArrayList<>(group.members.values())) {
      if (member.awaitingJoin == null) {
        log.info(
            "group={} member {} did not rejoin in time and leaves the group",
            group.groupId,
            member.memberId);
        dropMember(group, member);
      }
    }
    group.generationId++;
    if (group.members.isEmpty()) {
      group.protocolName = null;
      group.leaderId = null;
      group.transitionTo(GroupState.EMPTY, clock.millis());
      persistGroupQuietly(group);
      log.info("group={} is empty at generation {}", group.groupId, group.generationId);
      return;
    }
    group.protocolName = group.selectProtocol();
    if (group.leaderId == null || !group.members.containsKey(group.leaderId)) {
      group.leaderId = group.members.keySet().iterator().next();
    }
    group.transitionTo(GroupState.COMPLETING_REBALANCE, clock.millis());
    for (GroupMember member : group.members.values()) {
      boolean leader = member.memberId.equals(group.leaderId);
      member.awaitingJoin.complete(currentGeneration(group, member, leader, false));
      member.awaitingJoin = null;
      resetSession(group, member);
    }
    log.info(
        "group={} generation {} formed: {} members, protocol {}, leader {}",
        group.groupId,
        group.generationId,
        group.members.size(),
        group.protocolName,
        group.leaderId);
  }

  private static JoinResult currentGeneration(
      ConsumerGroup group, GroupMember member, boolean withMembers, boolean skipAssignment) {
    List<JoinResult.MemberMetadata> members = new ArrayList<>();
    if (withMembers) {
      for (GroupMember m : group.members.values()) {
        members.add(
            new JoinResult.MemberMetadata(
                m.memberId, m.groupInstanceId, m.metadata(group.protocolName)));
      }
    }
    return new JoinResult(
        Errors.NONE,
        group.generationId,
        group.protocolType,
        group.protocolName,
        group.leaderId,
        member.memberId,
        members,
        skipAssignment);
  }

  public CompletableFuture<SyncResult> sync(
      String groupId,
      int generationId,
      String memberId,
      String groupInstanceId,
      String protocolType,
      String protocolName,
      Map<String, byte[]> assignments) {
    ConsumerGroup group = groups.get(groupId);
    if (group == null) {
      return done(SyncResult.error(Errors.UNKNOWN_MEMBER_ID));
    }
    synchronized (group) {
      Errors error = validateMember(group, memberId, groupInstanceId);
      if (error != null) {
        return done(SyncResult.error(error));
      }
      if (generationId != group.generationId) {
        return done(SyncResult.error(Errors.ILLEGAL_GENERATION));
      }
      if ((protocolType != null && !protocolType.equals(group.protocolType))
          || (protocolName != null && !protocolName.equals(group.protocolName))) {
        return done(SyncResult.error(Errors.INCONSISTENT_GROUP_PROTOCOL));
      }
      GroupMember member = group.members.get(memberId);
      switch (group.state()) {
        case PREPARING_REBALANCE:
          return done(SyncResult.error(Errors.REBALANCE_IN_PROGRESS));
        case STABLE:
          resetSession(group, member);
          return done(
              new SyncResult(
                  Errors.NONE, group.protocolType, group.protocolName, member.assignment));
        case COMPLETING_REBALANCE:
          CompletableFuture<SyncResult> future = new CompletableFuture<>();
          member.awaitingSync = future;
          resetSession(group, member);
          if (memberId.equals(group.leaderId)) {
            completeSync(group, assignments);
          }
          return future;
        default:
          return done(SyncResult.error(Errors.UNKNOWN_MEMBER_ID));
      }
    }
  }

  private void completeSync(ConsumerGroup group, Map<String, byte[]> assignments) {
    for (GroupMember member : group.members.values()) {
      member.assignment = assignments.getOrDefault(member.memberId, new byte[0]);
    }
    try {
      persistGroup(group);
    } catch (ApiException e) {
      log.warn(
          "group={} could not store generation {}: {}",
          group.groupId,
          group.generationId,
          e.toString());
      for (GroupMember member : group.members.values()) {
        if (member.awaitingSync != null) {
          member.awaitingSync.complete(SyncResult.error(Errors.COORDINATOR_NOT_AVAILABLE));
          member.awaitingSync = null;
        }
      }
      prepareRebalance(group, "storing the assignment failed");
      return;
    }
    group.transitionTo(GroupState.STABLE, clock.millis());
    for (GroupMember member : group.members.values()) {
      if (member.awaitingSync != null) {
        member.awaitingSync.complete(
            new SyncResult(Errors.NONE, group.protocolType, group.protocolName, member.assignment));
        member.awaitingSync = null;
      }
    }
    log.info("group={} generation {} is stable", group.groupId, group.generationId);
  }

  public Errors heartbeat(
      String groupId, String memberId, String groupInstanceId, int generationId) {
    ConsumerGroup group = groups.get(groupId);
    if (group == null) {
      return Errors.UNKNOWN_MEMBER_ID;
    }
    synchronized (group) {
      Errors error = validateMember(group, memberId, groupInstanceId);
      if (error != null) {
        return error;
      }
      GroupMember member = group.members.get(memberId);
      switch (group.state()) {
        case PREPARING_REBALANCE:
          resetSession(group, member);
          return Errors.REBALANCE_IN_PROGRESS;
        case COMPLETING_REBALANCE:
        case STABLE:
          if (generationId != group.generationId) {
            return Errors.ILLEGAL_GENERATION;
          }
          resetSession(group, member);
          return Errors.NONE;
        default:
          return Errors.UNKNOWN_MEMBER_ID;
      }
    }
  }

  /** Removes the named members; returns each one's error (NONE when it left). */
  public List<Errors> leave(String groupId, List<MemberIdentity> leaving) {
    List<Errors> results = new ArrayList<>();
    ConsumerGroup group = groups.get(groupId);
    if (group == null) {
      leaving.forEach(m -> results.add(Errors.UNKNOWN_MEMBER_ID));
      return results;
    }
    synchronized (group) {
      for (MemberIdentity identity : leaving) {
        String memberId = identity.memberId();
        if (identity.groupInstanceId() != null) {
          String current = group.staticMembers.get(identity.groupInstanceId());
          if (current == null) {
            results.add(Errors.UNKNOWN_MEMBER_ID);
            continue;
          }
          if (!memberId.isEmpty() && !memberId.equals(current)) {
            results.add(Errors.FENCED_INSTANCE_ID);
            continue;
          }
          memberId = current;
        }
        GroupMember member = group.members.get(memberId);
        if (member == null) {
          results.add(Errors.UNKNOWN_MEMBER_ID);
          continue;
        }
        log.info("group={} member {} left", group.groupId, memberId);
        removeMember(group, member, "member " + memberId + " left");
        results.add(Errors.NONE);
      }
    }
    return results;
  }

  private void removeMember(ConsumerGroup group, GroupMember member, String reason) {
    dropMember(group, member);
    switch (group.state()) {
      case STABLE, COMPLETING_REBALANCE -> prepareRebalance(group, reason);
      case PREPARING_REBALANCE -> maybeCompleteJoin(group);
      default -> {}
    }
  }

  private void dropMember(ConsumerGroup group, GroupMember member) {
    if (member.awaitingJoin != null) {
      member.awaitingJoin.complete(JoinResult.error(Errors.UNKNOWN_MEMBER_ID, member.memberId));
      member.awaitingJoin = null;
    }
    if (member.awaitingSync != null) {
      member.awaitingSync.complete(SyncResult.error(Errors.UNKNOWN_MEMBER_ID));
      member.awaitingSync = null;
    }
    if (member.sessionExpiry != null) {
      member.sessionExpiry.cancel(false);
    }
    group.members.remove(member.memberId);
    if (member.isStatic()) {
      group.staticMembers.remove(member.groupInstanceId, member.memberId);
    }
  }

  private void resetSession(ConsumerGroup group, GroupMember member) {
    if (member.sessionExpiry != null) {
      member.sessionExpiry.cancel(false);
    }
    member.sessionExpiry =
        scheduler.schedule(
            () -> sessionExpired(group, member), member.sessionTimeoutMs, TimeUnit.MILLISECONDS);
  }

  private void sessionExpired(ConsumerGroup group, GroupMember member) {
    synchronized (group) {
      if (group.members.get(member.memberId) != member) {
        return;
      }
      if (member.awaitingJoin != null || member.awaitingSync != null) {
        resetSession(group, member); // a parked request keeps the member alive
        return;
      }
      log.info(
          "group={} member {} missed its session timeout of {} ms",
          group.groupId,
          member.memberId,
          member.sessionTimeoutMs);
      removeMember(group, member, "member " + member.memberId + " session expired");
    }
  }

  private static Errors validateMember(
      ConsumerGroup group, String memberId, String groupInstanceId) {
    Errors fenced = checkStaticIdentity(group, memberId, groupInstanceId);
    if (fenced != null) {
      return fenced;
    }
    return group.members.containsKey(memberId) ? null : Errors.UNKNOWN_MEMBER_ID;
  }

  private static Errors checkStaticIdentity(
      ConsumerGroup group, String memberId, String groupInstanceId) {
    if (groupInstanceId == null) {
      return null;
    }
    String current = group.staticMembers.get(groupInstanceId);
    return current != null && !current.equals(memberId) ? Errors.FENCED_INSTANCE_ID : null;
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
    Map<TopicPartition, Errors> results = new HashMap<>();
    Errors invalid = validateGroupId(groupId);
    boolean simple = generationId < 0 && memberId.isEmpty();
    ConsumerGroup group =
        invalid != null
            ? null
            : simple
                ? groups.computeIfAbsent(groupId, id -> new ConsumerGroup(id, clock.millis()))
                : groups.get(groupId);
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
        error = validateMember(group, memberId, groupInstanceId);
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
            && !withinGroupsPerTopicLimit(group, Set.of(tp.topic()))) {
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
                indexTopic(groupId, tp.topic());
              });
      return results;
    }
  }

  /** Committed offsets of a group: all of them, or those of {@code partitions} that exist. */
  public Map<TopicPartition, CommittedOffset> committed(
      String groupId, List<TopicPartition> partitions) {
    ConsumerGroup group = groups.get(groupId);
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
    ConsumerGroup group = groups.get(groupId);
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

  public List<GroupListing> list(Set<String> statesFilter) {
    List<GroupListing> listings = new ArrayList<>();
    boolean defaultListed = false;
    for (ConsumerGroup group : groups.values()) {
      synchronized (group) {
        if (group.is(GroupState.DEAD)) {
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
    ConsumerGroup group = groups.get(groupId);
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
    ConsumerGroup group = groups.get(groupId);
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
      forget(group);
      log.info("group={} deleted with {} committed offsets", groupId, group.offsets.size());
      return Errors.NONE;
    }
  }

  /** Must hold the group's monitor. */
  private void forget(ConsumerGroup group) {
    for (String topic : group.topics()) {
      Set<String> readers = groupsByTopic.get(topic);
      if (readers != null) {
        readers.remove(group.groupId);
      }
    }
    group.transitionTo(GroupState.DEAD, clock.millis());
    groups.remove(group.groupId, group);
  }

  // ---------------------------------------------------------------- Event Hubs limits

  /**
   * Event Hubs allows a topic a fixed number of consumer groups, {@value #DEFAULT_GROUP} included.
   * A group already reading a topic is always within the limit.
   */
  private boolean withinGroupsPerTopicLimit(ConsumerGroup group, Set<String> topics) {
    if (group.groupId.equals(DEFAULT_GROUP)) {
      return true;
    }
    for (String topic : topics) {
      Set<String> readers = groupsByTopic.getOrDefault(topic, Set.of());
      if (readers.contains(group.groupId)) {
        continue;
      }
      long others = readers.stream().filter(g -> !g.equals(DEFAULT_GROUP)).count();
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

  private void indexTopic(String groupId, String topic) {
    groupsByTopic.computeIfAbsent(topic, t -> ConcurrentHashMap.newKeySet()).add(groupId);
  }

  // ---------------------------------------------------------------- retention and loading

  /**
   * Offsets of a group that has been empty for {@code offsets.retention.minutes} are removed; a
   * group used only for commits (no members ever) loses each offset that long after its commit.
   */
  void expireOffsets() {
    long now = clock.millis();
    for (ConsumerGroup group : groups.values()) {
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
          forget(group);
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
    for (ConsumerGroup group : groups.values()) {
      synchronized (group) {
        if (stateLog.partitionFor(group.groupId) != partition) {
          continue;
        }
        group.topics().forEach(t -> indexTopic(group.groupId, t));
        for (GroupMember member : group.members.values()) {
          resetSession(group, member);
        }
      }
    }
    if (count[0] > 0) {
      log.info(
          "offsets partition {} loaded: {} records in {} ms",
          partition,
          count[0],
          clock.millis() - started);
    }
  }

  private void apply(GroupStateRecords.Entry entry) {
    if (entry instanceof OffsetEntry offset) {
      ConsumerGroup group =
          groups.computeIfAbsent(offset.groupId(), id -> new ConsumerGroup(id, clock.millis()));
      synchronized (group) {
        if (offset.offset() == null) {
          group.offsets.remove(offset.partition());
        } else {
          group.offsets.put(offset.partition(), offset.offset());
        }
      }
    } else if (entry instanceof GroupEntry stored) {
      if (stored.members() == null) {
        ConsumerGroup removed = groups.remove(stored.groupId());
        if (removed != null && !removed.offsets.isEmpty()) {
          groups.put(stored.groupId(), removed); // later commits outlive an older tombstone
        }
        return;
      }
      ConsumerGroup group =
          groups.computeIfAbsent(stored.groupId(), id -> new ConsumerGroup(id, clock.millis()));
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

  private void persistGroup(ConsumerGroup group) {
    stateLog.append(
        stateLog.partitionFor(group.groupId),
        List.of(
            new KeyValue(
                GroupStateRecords.groupKey(group.groupId), GroupStateRecords.groupValue(group))));
  }

  private void persistGroupQuietly(ConsumerGroup group) {
    try {
      persistGroup(group);
    } catch (ApiException e) {
      log.warn("group={} could not store its empty state: {}", group.groupId, e.toString());
    }
  }

  private Errors validateGroupId(String groupId) {
    return groupId == null || groupId.isEmpty() || groupId.length() > config.maxGroupIdLength()
        ? Errors.INVALID_GROUP_ID
        : null;
  }

  private static <T> CompletableFuture<T> done(T value) {
    return CompletableFuture.completedFuture(value);
  }
}
