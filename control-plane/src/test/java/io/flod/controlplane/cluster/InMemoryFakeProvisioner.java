package io.flod.controlplane.cluster;

import io.flod.provisioner.Machine;
import io.flod.provisioner.NodeSpec;
import io.flod.provisioner.Provisioner;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A fake cloud for control-plane tests (no VM can run here): machines are map entries, running at
 * once. It counts creations, so a test can prove no machine was made twice, can fail the next
 * request, and can be paused (accepting requests but creating nothing, like a slow provider).
 */
final class InMemoryFakeProvisioner implements Provisioner {
  final Map<String, Map<String, Machine>> clusters = new ConcurrentHashMap<>();
  final AtomicInteger created = new AtomicInteger();
  final AtomicReference<String> failNext = new AtomicReference<>();
  volatile boolean paused;
  final AtomicInteger ensureCalls = new AtomicInteger();
  volatile java.util.concurrent.CountDownLatch gate;

  @Override
  public void ensure(io.flod.provisioner.ClusterRef cluster, List<NodeSpec> nodes) {
    String clusterId = cluster.clusterId();
    ensureCalls.incrementAndGet();
    java.util.concurrent.CountDownLatch closed = gate;
    if (closed != null) {
      try {
        closed.await(); // a slow provider: the calling pass holds its cluster lock meanwhile
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    String failure = failNext.getAndSet(null);
    if (failure != null) {
      throw new IllegalStateException(failure);
    }
    Map<String, Machine> machines =
        clusters.computeIfAbsent(clusterId, k -> new ConcurrentHashMap<>());
    if (paused) {
      return;
    }
    for (NodeSpec node : nodes) {
      machines.computeIfAbsent(
          node.nodeId(),
          id -> {
            created.incrementAndGet();
            return new Machine(id, node.zone(), "10.0.0." + created.get(), Machine.State.RUNNING);
          });
    }
  }

  @Override
  public void destroy(String clusterId, Set<String> nodeIds) {
    Map<String, Machine> machines = clusters.getOrDefault(clusterId, Map.of());
    nodeIds.forEach(machines::remove);
  }

  @Override
  public List<Machine> describe(String clusterId) {
    return new ArrayList<>(clusters.getOrDefault(clusterId, Map.of()).values());
  }
}
