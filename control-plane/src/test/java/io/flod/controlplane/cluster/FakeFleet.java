package io.flod.controlplane.cluster;

import io.flod.controlplane.fleet.BrokerFleet;
import io.flod.provisioner.Machine;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The brokers of {@link InMemoryFakeProvisioner}'s fake machines (no broker runs on a fake
 * machine): each running machine's broker is live, holds no replicas (so it drains at once), and
 * stops when decommissioned. The real fleet is tested end to end with real machines and brokers.
 */
final class FakeFleet implements BrokerFleet {
  private final InMemoryFakeProvisioner machines;
  private final Set<String> drained = ConcurrentHashMap.newKeySet();
  private final java.util.Map<UUID, io.flod.broker.auth.SasRuleBook.Snapshot> published =
      new ConcurrentHashMap<>();
  private final java.util.Map<UUID, Integer> throughputUnits = new ConcurrentHashMap<>();

  FakeFleet(InMemoryFakeProvisioner machines) {
    this.machines = machines;
  }

  @Override
  public String zkConnect() {
    return "fake-zookeeper:2181";
  }

  @Override
  public String helixCluster(UUID clusterId) {
    return "flod-" + clusterId;
  }

  @Override
  public void open(UUID clusterId) {}

  @Override
  public Set<Integer> liveBrokers(UUID clusterId) {
    return machines.describe(clusterId.toString()).stream()
        .filter(m -> m.state() == Machine.State.RUNNING)
        .map(m -> NodePlan.brokerIdOf(m.nodeId()))
        .filter(id -> !drained.contains(clusterId + "/" + id))
        .collect(Collectors.toSet());
  }

  @Override
  public void drain(UUID clusterId, int brokerId) {
    drained.add(clusterId + "/" + brokerId);
  }

  @Override
  public boolean drained(UUID clusterId, int brokerId) {
    return drained.contains(clusterId + "/" + brokerId);
  }

  @Override
  public List<String> replicasOn(UUID clusterId, int brokerId) {
    return List.of();
  }

  @Override
  public List<PartitionReplicas> partitionReplicas(UUID clusterId) {
    return List.of(); // fake machines hold no data
  }

  @Override
  public MoveProgress moves(UUID clusterId) {
    return new MoveProgress(0, 0, 0);
  }

  @Override
  public void forget(UUID clusterId, int brokerId) {
    drained.remove(clusterId + "/" + brokerId);
  }

  @Override
  public void syncTopics(UUID clusterId, String bootstrapServers, List<TopicTarget> topics) {}

  @Override
  public void publishThroughputUnits(UUID clusterId, int units) {
    throughputUnits.put(clusterId, units);
  }

  java.util.Collection<Integer> publishedThroughputUnits() {
    return List.copyOf(throughputUnits.values());
  }

  /** The fake cluster has no brokers, so no group ever committed an offset. */
  @Override
  public java.util.Map<String, Long> lag(
      UUID clusterId, String bootstrapServers, String topic, java.util.Collection<String> groups) {
    return java.util.Map.of();
  }

  @Override
  public io.flod.controlplane.fleet.BrokerTls brokerTls() {
    return null;
  }

  /** The fake cluster has no brokers, so nothing is ever throttled. */
  @Override
  public java.util.Map<Integer, List<io.flod.broker.quota.ThrottleLog.Entry>> throttling(
      UUID clusterId) {
    return java.util.Map.of();
  }

  @Override
  public void publishRules(
      UUID clusterId, io.flod.broker.auth.SasRuleBook.Snapshot rules, String rulesKey) {
    published.put(clusterId, rules);
  }

  java.util.Collection<io.flod.broker.auth.SasRuleBook.Snapshot> publishedAll() {
    return List.copyOf(published.values());
  }

  @Override
  public void deleteTopic(UUID clusterId, String bootstrapServers, String topic) {}

  @Override
  public void remove(UUID clusterId) {}

  @Override
  public void close() {}
}
