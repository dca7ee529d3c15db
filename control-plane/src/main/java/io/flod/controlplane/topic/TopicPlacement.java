package io.flod.controlplane.topic;

import io.flod.api.TopicView;
import java.util.UUID;

/**
 * Where topic changes go to become real on the brokers: Helix resources (partitions, replicas,
 * configs) once replication lands. The control plane reaches brokers only through this, Helix and
 * ZooKeeper. Every call is idempotent; a failure is reported to the caller, who may retry.
 */
public interface TopicPlacement {
  /** Creates or updates the topic's partitions and configs on the cluster. */
  void apply(UUID clusterId, TopicView topic);

  /** Removes the topic from the cluster. */
  void remove(UUID clusterId, String topic);
}
