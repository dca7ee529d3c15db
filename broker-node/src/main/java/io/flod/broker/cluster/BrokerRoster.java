package io.flod.broker.cluster;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.helix.HelixDataAccessor;
import org.apache.helix.PropertyKey;
import org.apache.helix.model.InstanceConfig;

/**
 * The brokers of a cluster as the controller sees them at one moment: every registered broker with
 * its zone and update domain, which are live (hold a ZooKeeper session), which may lead (live and
 * enabled), which are being drained, and the incarnation each registered with.
 */
record BrokerRoster(
    Map<Integer, ReplicaPlacer.Node> nodes,
    Set<Integer> live,
    Set<Integer> eligible,
    Set<Integer> draining,
    Map<Integer, String> incarnations) {

  static BrokerRoster read(HelixDataAccessor accessor) {
    PropertyKey.Builder keys = accessor.keyBuilder();
    Set<Integer> live = new HashSet<>();
    for (String instance : accessor.getChildNames(keys.liveInstances())) {
      int id = ClusterPaths.nodeId(instance);
      if (id >= 0) {
        live.add(id);
      }
    }
    Map<Integer, ReplicaPlacer.Node> nodes = new HashMap<>();
    Set<Integer> eligible = new HashSet<>();
    Set<Integer> draining = new HashSet<>();
    Map<Integer, String> incarnations = new HashMap<>();
    List<InstanceConfig> configs = accessor.getChildValues(keys.instanceConfigs(), true);
    for (InstanceConfig config : configs) {
      int id = ClusterPaths.nodeId(config.getInstanceName());
      if (id < 0) {
        continue;
      }
      Map<String, String> domain = config.getDomainAsMap();
      nodes.put(id, new ReplicaPlacer.Node(id, domain.get("zone"), domain.get("updateDomain")));
      if (live.contains(id) && config.getInstanceEnabled()) {
        eligible.add(id);
      }
      if (Boolean.parseBoolean(config.getRecord().getSimpleField(ClusterPaths.DRAINING_FIELD))) {
        draining.add(id);
      }
      String incarnation = config.getRecord().getSimpleField(ClusterPaths.INCARNATION_FIELD);
      if (incarnation != null) {
        incarnations.put(id, incarnation);
      }
    }
    return new BrokerRoster(
        Map.copyOf(nodes),
        Set.copyOf(live),
        Set.copyOf(eligible),
        Set.copyOf(draining),
        Map.copyOf(incarnations));
  }

  /** Brokers that may receive replicas now. */
  Set<Integer> targets() {
    Set<Integer> targets = new HashSet<>(eligible);
    targets.removeAll(draining);
    return targets;
  }

  /** Every registered broker that is not draining is up: safe to even out load. */
  boolean healthy() {
    for (int id : nodes.keySet()) {
      if (!draining.contains(id) && !eligible.contains(id)) {
        return false;
      }
    }
    return true;
  }
}
