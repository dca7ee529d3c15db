package io.flod.broker.api;

import io.flod.broker.cluster.ClusterView;
import io.flod.broker.group.OffsetsTopic;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.FindCoordinatorResponseData.Coordinator;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FindCoordinatorRequest;

/**
 * FindCoordinator: a group's coordinator is the leader of the group's {@code __consumer_offsets}
 * partition. Transaction coordinators do not exist (transactions are not supported).
 */
public final class FindCoordinatorHandler implements ApiHandler<FindCoordinatorRequest> {
  private static final byte GROUP_KEY_TYPE = 0;
  private final ClusterView cluster;
  private final OffsetsTopic offsetsTopic;

  public FindCoordinatorHandler(ClusterView cluster, OffsetsTopic offsetsTopic) {
    this.cluster = cluster;
    this.offsetsTopic = offsetsTopic;
  }

  @Override
  public CompletableFuture<ApiMessage> handle(
      RequestContext context, FindCoordinatorRequest request) {
    FindCoordinatorRequestData data = request.data();
    offsetsTopic.ensureExists(); // in cluster mode, created once brokers are up to hold replicas
    FindCoordinatorResponseData response = new FindCoordinatorResponseData();
    if (context.apiVersion() < 4) {
      Coordinator found = locate(data.key(), data.keyType());
      response
          .setErrorCode(found.errorCode())
          .setErrorMessage(context.apiVersion() >= 1 ? found.errorMessage() : null)
          .setNodeId(found.nodeId())
          .setHost(found.host())
          .setPort(found.port());
    } else {
      List<Coordinator> coordinators =
          data.coordinatorKeys().stream().map(k -> locate(k, data.keyType())).toList();
      response.setCoordinators(coordinators);
    }
    return CompletableFuture.completedFuture(response);
  }

  private Coordinator locate(String key, byte keyType) {
    Coordinator coordinator = new Coordinator().setKey(key).setNodeId(-1).setHost("").setPort(-1);
    if (keyType != GROUP_KEY_TYPE) {
      return coordinator
          .setErrorCode(Errors.INVALID_REQUEST.code())
          .setErrorMessage(
              "Only consumer-group coordinators exist: transactions are not supported.");
    }
    int leader =
        cluster
            .leadership(new TopicPartition(OffsetsTopic.NAME, offsetsTopic.partitionFor(key)))
            .leaderId();
    Optional<ClusterView.BrokerEndpoint> endpoint =
        cluster.liveBrokers().stream().filter(b -> b.nodeId() == leader).findFirst();
    if (endpoint.isEmpty()) {
      return coordinator
          .setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code())
          .setErrorMessage("no leader yet");
    }
    return coordinator
        .setNodeId(endpoint.get().nodeId())
        .setHost(endpoint.get().host())
        .setPort(endpoint.get().port())
        .setErrorCode(Errors.NONE.code());
  }
}
