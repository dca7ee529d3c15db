package io.flod.broker.api;

import io.flod.broker.group.GroupCoordinator;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroupMember;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeGroupsRequest;

/** DescribeGroups: state, protocol and members with their assignments. */
public final class DescribeGroupsHandler implements ApiHandler<DescribeGroupsRequest> {
  private final GroupCoordinator coordinator;
  private final int maxGroupIdLength;

  public DescribeGroupsHandler(GroupCoordinator coordinator, int maxGroupIdLength) {
    this.coordinator = coordinator;
    this.maxGroupIdLength = maxGroupIdLength;
  }

  @Override
  public CompletableFuture<ApiMessage> handle(
      RequestContext context, DescribeGroupsRequest request) {
    DescribeGroupsResponseData response = new DescribeGroupsResponseData();
    for (String groupId : request.data().groups()) {
      if (groupId.isEmpty() || groupId.length() > maxGroupIdLength) {
        response
            .groups()
            .add(
                new DescribedGroup()
                    .setGroupId(groupId)
                    .setErrorCode(Errors.INVALID_GROUP_ID.code()));
        continue;
      }
      GroupCoordinator.GroupDescription group;
      try {
        group = coordinator.describe(groupId);
      } catch (ApiException e) {
        response
            .groups()
            .add(
                new DescribedGroup()
                    .setGroupId(groupId)
                    .setErrorCode(Errors.forException(e).code()));
        continue;
      }
      DescribedGroup described =
          new DescribedGroup()
              .setGroupId(groupId)
              .setGroupState(group.state())
              .setProtocolType(group.protocolType())
              .setProtocolData(group.protocolName() == null ? "" : group.protocolName());
      for (GroupCoordinator.MemberDescription member : group.members()) {
        described
            .members()
            .add(
                new DescribedGroupMember()
                    .setMemberId(member.memberId())
                    .setGroupInstanceId(member.groupInstanceId())
                    .setClientId(member.clientId())
                    .setClientHost(member.clientHost())
                    .setMemberMetadata(member.metadata())
                    .setMemberAssignment(member.assignment()));
      }
      response.groups().add(described);
    }
    return CompletableFuture.completedFuture(response);
  }
}
