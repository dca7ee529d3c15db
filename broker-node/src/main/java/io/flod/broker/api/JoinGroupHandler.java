package io.flod.broker.api;

import io.flod.broker.group.GroupCoordinator;
import io.flod.broker.group.GroupCoordinator.JoinRequest;
import io.flod.broker.group.GroupProtocols;
import io.flod.broker.group.JoinResult;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.JoinGroupResponseData.JoinGroupResponseMember;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.JoinGroupRequest;

/** JoinGroup: answered when the rebalance it takes part in completes. */
public final class JoinGroupHandler implements ApiHandler<JoinGroupRequest> {
  private final GroupCoordinator coordinator;

  public JoinGroupHandler(GroupCoordinator coordinator) {
    this.coordinator = coordinator;
  }

  @Override
  public CompletableFuture<ApiMessage> handle(RequestContext context, JoinGroupRequest request) {
    JoinGroupRequestData data = request.data();
    short version = context.apiVersion();
    JoinRequest join =
        new JoinRequest(
            data.groupId(),
            data.memberId(),
            data.groupInstanceId(),
            context.clientId() == null ? "" : context.clientId(),
            GroupProtocols.clientHost(context.clientAddress()),
            version >= 1 ? data.rebalanceTimeoutMs() : data.sessionTimeoutMs(),
            data.sessionTimeoutMs(),
            data.protocolType(),
            GroupProtocols.protocols(data.protocols()),
            version >= 4,
            version >= 9);
    return coordinator.join(join).thenApply(result -> toResponse(result, version));
  }

  private static ApiMessage toResponse(JoinResult result, short version) {
    JoinGroupResponseData response =
        new JoinGroupResponseData()
            .setErrorCode(result.error().code())
            .setGenerationId(result.generationId())
            .setProtocolType(version >= 7 ? result.protocolType() : null)
            .setProtocolName(
                result.protocolName() == null && version < 7 ? "" : result.protocolName())
            .setLeader(result.leaderId() == null ? "" : result.leaderId())
            .setSkipAssignment(version >= 9 && result.skipAssignment())
            .setMemberId(result.memberId() == null ? "" : result.memberId());
    for (JoinResult.MemberMetadata member : result.members()) {
      response
          .members()
          .add(
              new JoinGroupResponseMember()
                  .setMemberId(member.memberId())
                  .setGroupInstanceId(member.groupInstanceId())
                  .setMetadata(member.metadata()));
    }
    return response;
  }
}
