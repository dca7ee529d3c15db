package io.flod.broker.cluster;

import java.util.List;
import org.apache.kafka.common.TopicPartition;

/**
 * A one-broker cluster: this broker leads every partition, at leader epoch 0. Its endpoint is known
 * once the listener has bound (the port may be chosen by the OS), hence {@link #advertise}.
 */
public final class StandaloneClusterView implements ClusterView {
  private final String clusterId;
  private final int nodeId;
  private final PartitionLeadership leadership;
  private volatile BrokerEndpoint self;

  public StandaloneClusterView(String clusterId, int nodeId) {
    this.clusterId = clusterId;
    this.nodeId = nodeId;
    this.leadership = new PartitionLeadership(nodeId, 0, List.of(nodeId), List.of(nodeId));
  }

  public void advertise(String host, int port) {
    this.self = new BrokerEndpoint(nodeId, host, port, null);
  }

  @Override
  public String clusterId() {
    return clusterId;
  }

  @Override
  public int controllerId() {
    return nodeId;
  }

  @Override
  public List<BrokerEndpoint> liveBrokers() {
    return List.of(self);
  }

  @Override
  public PartitionLeadership leadership(TopicPartition partition) {
    return leadership;
  }
}
