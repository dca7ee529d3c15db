package io.flod.broker.api;

import io.flod.broker.group.GroupCoordinator;
import java.util.HashSet;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.ListGroupsRequest;

/** ListGroups: every group this coordinator holds ($Default always), filtered by state or type. */
public final class ListGroupsHandler implements ApiHandler<ListGroupsRequest> {
  private static final String CLASSIC = "classic";
  private final GroupCoordinator coordinator;

  public ListGroupsHandler(GroupCoordinator coordinator) {
    this.coordinator = coordinator;
  }

  @Override
  public CompletableFuture<ApiMessage> handle(RequestContext context, ListGroupsRequest request) {
    var data = request.data();
    ListGroupsResponseData response = new ListGroupsResponseData();
    boolean typeMatches =
        context.apiVersion() < 5
            || data.typesFilter().isEmpty()
            || data.typesFilter().stream().anyMatch(CLASSIC::equalsIgnoreCase);
    if (!typeMatches) {
      return CompletableFuture.completedFuture(response);
    }
    var states = context.apiVersion() >= 4 ? new HashSet<>(data.statesFilter()) : null;
    for (GroupCoordinator.GroupListing group : coordinator.list(states)) {
      response
          .groups()
          .add(
              new ListedGroup()
                  .setGroupId(group.groupId())
                  .setProtocolType(group.protocolType())
                  .setGroupState(group.state())
                  .setGroupType(CLASSIC));
    }
    return CompletableFuture.completedFuture(response);
  }
}
