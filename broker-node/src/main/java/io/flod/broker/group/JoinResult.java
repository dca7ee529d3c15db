package io.flod.broker.group;

import java.util.List;
import org.apache.kafka.common.protocol.Errors;

/** The answer to a JoinGroup: the generation, and for the leader every member's metadata. */
public record JoinResult(
    Errors error,
    int generationId,
    String protocolType,
    String protocolName,
    String leaderId,
    String memberId,
    List<MemberMetadata> members,
    boolean skipAssignment) {

  /** A member as the leader sees it when computing the assignment. */
  public record MemberMetadata(String memberId, String groupInstanceId, byte[] metadata) {}

  static JoinResult error(Errors error, String memberId) {
    return new JoinResult(error, -1, null, null, "", memberId, List.of(), false);
  }
}
