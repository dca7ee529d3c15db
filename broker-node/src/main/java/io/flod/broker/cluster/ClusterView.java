package io.flod.broker.cluster;

import java.util.List;
import org.apache.kafka.common.TopicPartition;

/**
 * What this broker tells clients about its cluster: the live brokers, the controller, and who leads
 * each partition. A standalone broker is the whole cluster; in cluster mode the view comes from
 * Helix's external view.
 */
public interface ClusterView {
  record BrokerEndpoint(int nodeId, String host, int port, String rack) {}

  record PartitionLeadership(
      int leaderId, int leaderEpoch, List<Integer> replicas, List<Integer> isr) {}

  String clusterId();

  int controllerId();

  List<BrokerEndpoint> liveBrokers();

  PartitionLeadership leadership(TopicPartition partition);

  /**
   * Loads what {@link #leadership} needs for these partitions, if it is not at hand, all at once
   * and with a bounded wait (a topic's partitions are asked for together).
   */
  default void prefetch(java.util.Collection<TopicPartition> partitions) {}
}
