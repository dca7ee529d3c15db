package io.flod.broker.api;

import io.flod.broker.group.GroupCoordinator;
import io.flod.broker.group.GroupCoordinator.MemberIdentity;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupResponseData.MemberResponse;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.LeaveGroupRequest;

/** LeaveGroup: one member (v0-2) or a batch identified by member or instance id (v3+). */
public final class LeaveGroupHandler implements ApiHandler<LeaveGroupRequest> {
  private final GroupCoordinator coordinator;

  public LeaveGroupHandler(GroupCoordinator coordinator) {
    this.coordinator = coordinator;
  }

  @Override
  public CompletableFuture<ApiMessage> handle(RequestContext context, LeaveGroupRequest request) {
    LeaveGroupRequestData data = request.data();
    boolean batched = context.apiVersion() >= 3;
    List<MemberIdentity> leaving = new ArrayList<>();
    if (batched) {
      data.members()
          .forEach(m -> leaving.add(new MemberIdentity(m.memberId(), m.groupInstanceId())));
    } else {
      leaving.add(new MemberIdentity(data.memberId(), null));
    }
    List<Errors> errors = coordinator.leave(data.groupId(), leaving);
    LeaveGroupResponseData response = new LeaveGroupResponseData();
    if (!batched) {
      return CompletableFuture.completedFuture(response.setErrorCode(errors.get(0).code()));
    }
    for (int i = 0; i < leaving.size(); i++) {
      response
          .members()
          .add(
              new MemberResponse()
                  .setMemberId(leaving.get(i).memberId())
                  .setGroupInstanceId(leaving.get(i).groupInstanceId())
                  .setErrorCode(errors.get(i).code()));
    }
    return CompletableFuture.completedFuture(response);
  }
}
