package io.flod.broker.api;

import io.flod.broker.group.GroupCoordinator;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DeleteGroupsResponseData.DeletableGroupResult;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.DeleteGroupsRequest;

/** DeleteGroups: removes empty groups and their committed offsets. */
public final class DeleteGroupsHandler implements ApiHandler<DeleteGroupsRequest> {
  private final GroupCoordinator coordinator;

  public DeleteGroupsHandler(GroupCoordinator coordinator) {
    this.coordinator = coordinator;
  }

  @Override
  public CompletableFuture<ApiMessage> handle(RequestContext context, DeleteGroupsRequest request) {
    DeleteGroupsResponseData response = new DeleteGroupsResponseData();
    for (String groupId : request.data().groupsNames()) {
      response
          .results()
          .add(
              new DeletableGroupResult()
                  .setGroupId(groupId)
                  .setErrorCode(coordinator.delete(groupId).code()));
    }
    return CompletableFuture.completedFuture(response);
  }
}
