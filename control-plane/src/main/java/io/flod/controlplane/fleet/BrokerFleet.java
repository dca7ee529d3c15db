package io.flod.controlplane.fleet;

import io.flod.broker.auth.SasRuleBook;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The brokers of the managed clusters, as the reconciler sees and steers them: through Helix and
 * ZooKeeper (membership, draining, replica moves) and the Kafka protocol (topics). The control
 * plane reaches brokers through nothing else. {@link HelixBrokerFleet} is the real one; tests whose
 * machines are fake use a fake fleet whose brokers are those machines.
 */
public interface BrokerFleet extends AutoCloseable {
  /** A topic as the brokers should have it. */
  record TopicTarget(
      String name,
      int partitions,
      int replicationFactor,
      long retentionMs,
      int minInsyncReplicas,
      String cleanupPolicy,
      int maxMessageBytes) {}

  /** Where brokers find their cluster's ZooKeeper (before the cluster's root is added). */
  String zkConnect();

  /** How a cluster's machines reach its state in ZooKeeper: its root and their identity. */
  default io.flod.controlplane.zk.ClusterRoots.Access zkAccess(UUID clusterId) {
    return new io.flod.controlplane.zk.ClusterRoots.Access("", null, null);
  }

  /** The Helix cluster name of a managed cluster. */
  String helixCluster(UUID clusterId);

  /**
   * Makes sure the cluster exists in ZooKeeper and its controller runs here. The reconciler opens a
   * cluster once it has (or is about to get) machines; reads of a cluster not opened here answer as
   * for a cluster without brokers, so viewing clusters never starts controllers.
   */
  void open(UUID clusterId);

  /** Broker ids whose broker is a live member of the cluster (none while it is not open). */
  Set<Integer> liveBrokers(UUID clusterId);

  /** Starts moving every replica off a broker (idempotent). */
  void drain(UUID clusterId, int brokerId);

  /** True once no partition keeps a replica on the broker. */
  boolean drained(UUID clusterId, int brokerId);

  /** Partition replicas ("topic-partition") on the broker now. */
  List<String> replicasOn(UUID clusterId, int brokerId);

  /** A partition's replicas and in-sync replicas, as ZooKeeper holds them. */
  record PartitionReplicas(String partition, List<Integer> replicas, List<Integer> isr) {}

  /**
   * Every partition's replicas and in-sync replicas, read from ZooKeeper within a few seconds: what
   * healing needs to know before it destroys a machine (never the last in-sync copy).
   *
   * @throws IllegalStateException when they cannot be read (the cluster is not open here, ZooKeeper
   *     is unreachable or slow): the caller must then assume any machine may hold a last copy
   */
  List<PartitionReplicas> partitionReplicas(UUID clusterId);

  /**
   * The partitions with no leader (every in-sync replica gone, or back without its data), with the
   * reason, as the cluster's controller last decided; read from memory, empty when the controller
   * does not run here.
   */
  default Map<String, String> offlinePartitions(UUID clusterId) {
    return Map.of();
  }

  /**
   * Partition moves in progress, the bytes they still have to copy, and how many partitions the
   * balancer would still move after them.
   */
  MoveProgress moves(UUID clusterId);

  /** Removes a broker whose machine is gone from the cluster's membership. */
  void forget(UUID clusterId, int brokerId);

  /** Creates missing topics and grows partition counts through the Kafka protocol. */
  void syncTopics(UUID clusterId, String bootstrapServers, List<TopicTarget> topics);

  /**
   * Publishes a SAS cluster's rules and broker secret where its brokers read them, sealed with the
   * cluster's rules key (base64) so that only its brokers can read them; the fleet's own Kafka
   * clients log in with that secret from then on.
   */
  void publishRules(UUID clusterId, SasRuleBook.Snapshot rules, String rulesKey);

  /**
   * How far each group is behind the end of {@code topic}, summed over the partitions it committed
   * offsets for; groups with no committed offset on the topic are left out. Asked through the Kafka
   * protocol, bounded in time.
   */
  Map<String, Long> lag(
      UUID clusterId, String bootstrapServers, String topic, java.util.Collection<String> groups);

  /** The certificate every broker serves with, or null when their listeners are in clear. */
  BrokerTls brokerTls();

  /** What each of the cluster's brokers reports it throttled in the last minutes, by broker id. */
  java.util.Map<Integer, List<io.flod.broker.quota.ThrottleLog.Entry>> throttling(UUID clusterId);

  /** Sets the cluster's ingress quota on its brokers (they apply it within seconds). */
  void publishThroughputUnits(UUID clusterId, int units);

  /**
   * Brings an offline partition (every in-sync replica lost its data or is gone) back, accepting
   * the loss: a live replica leads at a new epoch with what it holds.
   *
   * @throws IllegalStateException the partition is not offline, or no replica of it is alive
   */
  default io.flod.broker.cluster.PartitionState acceptDataLoss(
      UUID clusterId, org.apache.kafka.common.TopicPartition partition, String decidedBy) {
    throw new IllegalStateException("this fleet cannot change partition leadership");
  }

  /** Deletes a topic through the Kafka protocol. */
  void deleteTopic(UUID clusterId, String bootstrapServers, String topic);

  /** Stops the cluster's controller and removes it from ZooKeeper (its machines are gone). */
  void remove(UUID clusterId);

  @Override
  void close();

  /** Moves in progress, and moves still planned (the placement is settled when both are 0). */
  record MoveProgress(int partitions, long bytesRemaining, int planned) {
    public boolean settled() {
      return partitions == 0 && planned == 0;
    }
  }
}
