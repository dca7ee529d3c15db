package io.flod.broker.group;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

/**
 * One member of a classic group: who it is, the protocols it offered, what it was assigned, and the
 * join or sync request it is waiting on. Guarded by its group's monitor.
 */
final class GroupMember {
  String memberId;
  final String groupInstanceId;
  String clientId;
  String clientHost;
  int rebalanceTimeoutMs;
  int sessionTimeoutMs;
  String protocolType;
  List<MemberProtocol> protocols;
  byte[] assignment = new byte[0];
  CompletableFuture<JoinResult> awaitingJoin;
  CompletableFuture<SyncResult> awaitingSync;
  ScheduledFuture<?> sessionExpiry;

  GroupMember(
      String memberId,
      String groupInstanceId,
      String clientId,
      String clientHost,
      int rebalanceTimeoutMs,
      int sessionTimeoutMs,
      String protocolType,
      List<MemberProtocol> protocols) {
    this.memberId = memberId;
    this.groupInstanceId = groupInstanceId;
    this.clientId = clientId;
    this.clientHost = clientHost;
    this.rebalanceTimeoutMs = rebalanceTimeoutMs;
    this.sessionTimeoutMs = sessionTimeoutMs;
    this.protocolType = protocolType;
    this.protocols = protocols;
  }

  boolean isStatic() {
    return groupInstanceId != null;
  }

  /** The subscription metadata this member sent for {@code protocol}, or null. */
  byte[] metadata(String protocol) {
    for (MemberProtocol p : protocols) {
      if (p.name().equals(protocol)) {
        return p.metadata();
      }
    }
    return null;
  }

  boolean sameProtocols(List<MemberProtocol> other) {
    if (other.size() != protocols.size()) {
      return false;
    }
    for (int i = 0; i < other.size(); i++) {
      if (!other.get(i).name().equals(protocols.get(i).name())
          || !java.util.Arrays.equals(other.get(i).metadata(), protocols.get(i).metadata())) {
        return false;
      }
    }
    return true;
  }
}
