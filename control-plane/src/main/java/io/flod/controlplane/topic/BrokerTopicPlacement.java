package io.flod.controlplane.topic;

import io.flod.api.TopicView;
import io.flod.controlplane.cluster.ClusterReconciler;
import java.util.UUID;

/**
 * Topic changes reach the brokers through the reconciler: it syncs every stored topic to the
 * cluster's brokers on each pass (create, grow partitions), so a change only asks for a pass, and a
 * cluster that is not up yet gets its topics once it is. A deletion is sent at once.
 */
public final class BrokerTopicPlacement implements TopicPlacement {
  private final ClusterReconciler reconciler;

  public BrokerTopicPlacement(ClusterReconciler reconciler) {
    this.reconciler = reconciler;
  }

  @Override
  public void apply(UUID clusterId, TopicView topic) {
    reconciler.trigger(clusterId);
  }

  @Override
  public void remove(UUID clusterId, String topic) {
    reconciler.deleteTopicOnBrokers(clusterId, topic);
  }
}
