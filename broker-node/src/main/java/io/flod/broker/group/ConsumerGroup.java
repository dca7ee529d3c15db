package io.flod.broker.group;

import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.TopicPartition;

/**
 * The state of one group: its members and generation (the classic rebalance protocol) and its
 * committed offsets. Every read and write happens under this object's monitor; the coordinator
 * takes it for each request.
 */
final class ConsumerGroup {
  static final String CONSUMER_PROTOCOL_TYPE = "consumer";

  final String groupId;
  private GroupState state = GroupState.EMPTY;
  int generationId;
  String protocolType;
  String protocolName;
  String leaderId;
  final Map<String, GroupMember> members = new LinkedHashMap<>();

  /** group.instance.id → the member id that instance holds now. */
  final Map<String, String> staticMembers = new HashMap<>();

  /** Member ids handed out by MEMBER_ID_REQUIRED that have not joined yet. */
  final Set<String> pendingMembers = new HashSet<>();

  final Map<TopicPartition, CommittedOffset> offsets = new HashMap<>();
  ScheduledFuture<?> joinCompletion;

  /**
   * Counts rebalances. A join timer only acts on the rebalance that scheduled it: a cancelled timer
   * may already be waiting for this group's monitor when a later rebalance starts.
   */
  long rebalanceSequence;

  boolean initialJoinDelay;
  long emptySinceMs;

  ConsumerGroup(String groupId, long nowMs) {
    this.groupId = groupId;
    this.emptySinceMs = nowMs;
  }

  GroupState state() {
    return state;
  }

  boolean is(GroupState candidate) {
    return state == candidate;
  }

  /**
   * @throws IllegalStateException the transition is not one {@link GroupState} allows
   */
  void transitionTo(GroupState next, long nowMs) {
    if (!next.validPrevious().contains(state)) {
      throw new IllegalStateException(
          "group " + groupId + " cannot go from " + state + " to " + next);
    }
    state = next;
    if (next == GroupState.EMPTY) {
      emptySinceMs = nowMs;
    }
  }

  /** Restores a state read back from the log; no transition rules apply to a reload. */
  void restoreState(GroupState restored) {
    state = restored;
  }

  boolean allMembersJoined() {
    if (!pendingMembers.isEmpty()) {
      return false;
    }
    for (GroupMember member : members.values()) {
      if (member.awaitingJoin == null) {
        return false;
      }
    }
    return true;
  }

  int rebalanceTimeoutMs() {
    int timeout = 0;
    for (GroupMember member : members.values()) {
      timeout = Math.max(timeout, member.rebalanceTimeoutMs);
    }
    return timeout;
  }

  /** Whether a member offering these protocols can join: same type, one protocol in common. */
  boolean supports(String type, List<MemberProtocol> offered) {
    if (members.isEmpty()) {
      return type != null && !type.isEmpty() && !offered.isEmpty();
    }
    if (!type.equals(protocolType)) {
      return false;
    }
    for (MemberProtocol protocol : offered) {
      boolean everyone = true;
      for (GroupMember member : members.values()) {
        if (member.metadata(protocol.name()) == null) {
          everyone = false;
          break;
        }
      }
      if (everyone) {
        return true;
      }
    }
    return false;
  }

  /**
   * The protocol all members support that ranks best across their preference lists (each member
   * votes for its most preferred protocol that every member supports), as Kafka chooses.
   */
  String selectProtocol() {
    Set<String> common = null;
    for (GroupMember member : members.values()) {
      Set<String> names = new HashSet<>();
      member.protocols.forEach(p -> names.add(p.name()));
      if (common == null) {
        common = names;
      } else {
        common.retainAll(names);
      }
    }
    Map<String, Integer> votes = new LinkedHashMap<>();
    for (GroupMember member : members.values()) {
      for (MemberProtocol p : member.protocols) {
        if (common.contains(p.name())) {
          votes.merge(p.name(), 1, Integer::sum);
          break;
        }
      }
    }
    return votes.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
  }

  /** The topics the members subscribe to, when they speak the consumer protocol. */
  Set<String> subscribedTopics() {
    Set<String> topics = new HashSet<>();
    if (!CONSUMER_PROTOCOL_TYPE.equals(protocolType)) {
      return topics;
    }
    for (GroupMember member : members.values()) {
      topics.addAll(subscriptionTopics(member.protocols));
    }
    return topics;
  }

  static Set<String> subscriptionTopics(Collection<MemberProtocol> protocols) {
    Set<String> topics = new HashSet<>();
    for (MemberProtocol protocol : protocols) {
      try {
        topics.addAll(
            ConsumerProtocol.deserializeSubscription(ByteBuffer.wrap(protocol.metadata()))
                .topics());
      } catch (RuntimeException notConsumerMetadata) {
        // Not the consumer protocol's encoding: nothing to learn about topics from it.
      }
    }
    return topics;
  }

  /** Topics this group reads: those it has offsets in or its members subscribe to. */
  Set<String> topics() {
    Set<String> topics = subscribedTopics();
    offsets.keySet().forEach(tp -> topics.add(tp.topic()));
    return topics;
  }
}
