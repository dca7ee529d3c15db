package io.flod.broker.api;

import io.flod.broker.cluster.ClusterView;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.DescribeClusterResponseData.DescribeClusterBroker;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeClusterRequest;

/** DescribeCluster: cluster id, controller and brokers. There are no separate controller nodes. */
public final class DescribeClusterHandler implements ApiHandler<DescribeClusterRequest> {
  private static final byte BROKERS_ENDPOINT_TYPE = 1;
  private final ClusterView cluster;

  public DescribeClusterHandler(ClusterView cluster) {
    this.cluster = cluster;
  }

  @Override
  public CompletableFuture<ApiMessage> handle(
      RequestContext context, DescribeClusterRequest request) {
    DescribeClusterResponseData response =
        new DescribeClusterResponseData()
            .setClusterId(cluster.clusterId())
            .setControllerId(cluster.controllerId());
    if (context.apiVersion() >= 1 && request.data().endpointType() != BROKERS_ENDPOINT_TYPE) {
      return CompletableFuture.completedFuture(
          response
              .setErrorCode(Errors.UNSUPPORTED_ENDPOINT_TYPE.code())
              .setErrorMessage("Only broker endpoints exist in a Flod cluster."));
    }
    for (ClusterView.BrokerEndpoint broker : cluster.liveBrokers()) {
      response
          .brokers()
          .add(
              new DescribeClusterBroker()
                  .setBrokerId(broker.nodeId())
                  .setHost(broker.host())
                  .setPort(broker.port())
                  .setRack(broker.rack()));
    }
    return CompletableFuture.completedFuture(response);
  }
}
