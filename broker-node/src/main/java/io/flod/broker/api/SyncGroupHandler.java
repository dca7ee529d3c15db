package io.flod.broker.api;

import io.flod.broker.group.GroupCoordinator;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.SyncGroupRequest;

/** SyncGroup: the leader hands in the assignment; every member gets its part once it arrives. */
public final class SyncGroupHandler implements ApiHandler<SyncGroupRequest> {
  private final GroupCoordinator coordinator;

  public SyncGroupHandler(GroupCoordinator coordinator) {
    this.coordinator = coordinator;
  }

  @Override
  public CompletableFuture<ApiMessage> handle(RequestContext context, SyncGroupRequest request) {
    SyncGroupRequestData data = request.data();
    Map<String, byte[]> assignments = new HashMap<>();
    data.assignments().forEach(a -> assignments.put(a.memberId(), a.assignment()));
    boolean v5 = context.apiVersion() >= 5;
    return coordinator
        .sync(
            data.groupId(),
            data.generationId(),
            data.memberId(),
            data.groupInstanceId(),
            v5 ? data.protocolType() : null,
            v5 ? data.protocolName() : null,
            assignments)
        .thenApply(
            result ->
                new SyncGroupResponseData()
                    .setErrorCode(result.error().code())
                    .setProtocolType(v5 ? result.protocolType() : null)
                    .setProtocolName(v5 ? result.protocolName() : null)
                    .setAssignment(result.assignment()));
  }
}
