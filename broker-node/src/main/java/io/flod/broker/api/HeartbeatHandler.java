package io.flod.broker.api;

import io.flod.broker.group.GroupCoordinator;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.HeartbeatRequest;

/** Heartbeat: keeps a member's session alive and tells it when to rejoin. */
public final class HeartbeatHandler implements ApiHandler<HeartbeatRequest> {
  private final GroupCoordinator coordinator;

  public HeartbeatHandler(GroupCoordinator coordinator) {
    this.coordinator = coordinator;
  }

  @Override
  public CompletableFuture<ApiMessage> handle(RequestContext context, HeartbeatRequest request) {
    var data = request.data();
    return CompletableFuture.completedFuture(
        new HeartbeatResponseData()
            .setErrorCode(
                coordinator
                    .heartbeat(
                        data.groupId(),
                        data.memberId(),
                        data.groupInstanceId(),
                        data.generationId())
                    .code()));
  }
}
