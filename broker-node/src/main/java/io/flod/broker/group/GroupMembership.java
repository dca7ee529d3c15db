package io.flod.broker.group;

import io.flod.broker.group.GroupCoordinator.JoinRequest;
import io.flod.broker.group.GroupCoordinator.MemberIdentity;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The classic rebalance protocol: JoinGroup, SyncGroup, Heartbeat, LeaveGroup, session expiry and
 * static membership. A rebalance moves a group through the {@link GroupState}s; each new
 * generation's membership and assignment is stored before members get their assignment.
 *
 * <p>Thread-safety: every operation holds the group's monitor; timers take it when they fire.
 */
final class GroupMembership {
  private static final Logger log = LoggerFactory.getLogger(GroupMembership.class);
  private final GroupConfig config;
  private final GroupRegistry registry;
  private final ScheduledExecutorService scheduler;
  private final Clock clock;

  GroupMembership(
      GroupConfig config, GroupRegistry registry, ScheduledExecutorService scheduler, Clock clock) {
    this.config = config;
    this.registry = registry;
    this.scheduler = scheduler;
    this.clock = clock;
  }

  CompletableFuture<JoinResult> join(JoinRequest request) {
    Errors invalid = registry.validateGroupId(request.groupId());
    if (invalid != null) {
      return done(JoinResult.error(invalid, request.memberId()));
    }
    if (request.sessionTimeoutMs() < config.minSessionTimeoutMs()
        || request.sessionTimeoutMs() > config.maxSessionTimeoutMs()) {
      return done(JoinResult.error(Errors.INVALID_SESSION_TIMEOUT, request.memberId()));
    }
    ConsumerGroup group =
        request.memberId().isEmpty()
            ? registry.getOrCreate(request.groupId())
            : registry.get(request.groupId());
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
        if (!registry.withinGroupsPerTopicLimit(group, topics)) {
          return done(JoinResult.error(Errors.POLICY_VIOLATION, request.memberId()));
        }
        topics.forEach(t -> registry.indexTopic(group.groupId, t));
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
      registry.persistGroup(group);
      return done(currentGeneration(group, member, leader, leader));
    }
    return awaitJoin(group, member, "static member " + request.groupInstanceId() + " rejoined");
  }

  private CompletableFuture<JoinResult> joinKnownMember(ConsumerGroup group, JoinRequest request) {
    String memberId = request.memberId();
    Errors fenced = GroupRegistry.checkStaticIdentity(group, memberId, request.groupInstanceId());
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
    long rebalance = ++group.rebalanceSequence;
    group.joinCompletion =
        scheduler.schedule(
            () -> {
              synchronized (group) {
                if (group.rebalanceSequence != rebalance) {
                  return; // a stale timer from a rebalance that already completed
                }
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
      registry.persistGroupQuietly(group);
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

  CompletableFuture<SyncResult> sync(
      String groupId,
      int generationId,
      String memberId,
      String groupInstanceId,
      String protocolType,
      String protocolName,
      Map<String, byte[]> assignments) {
    ConsumerGroup group = registry.get(groupId);
    if (group == null) {
      return done(SyncResult.error(Errors.UNKNOWN_MEMBER_ID));
    }
    synchronized (group) {
      Errors error = GroupRegistry.validateMember(group, memberId, groupInstanceId);
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
      registry.persistGroup(group);
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

  Errors heartbeat(String groupId, String memberId, String groupInstanceId, int generationId) {
    ConsumerGroup group = registry.get(groupId);
    if (group == null) {
      return Errors.UNKNOWN_MEMBER_ID;
    }
    synchronized (group) {
      Errors error = GroupRegistry.validateMember(group, memberId, groupInstanceId);
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
  List<Errors> leave(String groupId, List<MemberIdentity> leaving) {
    List<Errors> results = new ArrayList<>();
    ConsumerGroup group = registry.get(groupId);
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

  void resetSession(ConsumerGroup group, GroupMember member) {
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

  /** Answers every parked request NOT_COORDINATOR and stops the group's timers. */
  void abandon(ConsumerGroup group) {
    if (group.joinCompletion != null) {
      group.joinCompletion.cancel(false);
    }
    for (GroupMember member : group.members.values()) {
      if (member.awaitingJoin != null) {
        member.awaitingJoin.complete(JoinResult.error(Errors.NOT_COORDINATOR, member.memberId));
        member.awaitingJoin = null;
      }
      if (member.awaitingSync != null) {
        member.awaitingSync.complete(SyncResult.error(Errors.NOT_COORDINATOR));
        member.awaitingSync = null;
      }
      if (member.sessionExpiry != null) {
        member.sessionExpiry.cancel(false);
      }
    }
  }

  private static <T> CompletableFuture<T> done(T value) {
    return CompletableFuture.completedFuture(value);
  }
}
