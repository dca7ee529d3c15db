package io.flod.controlplane.cluster;

import io.flod.provisioner.ClusterRef;
import io.flod.provisioner.FencedOutException;
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
 * request, and can be paused (accepting requests but creating nothing, like a slow provider). Like
 * a cloud that honours fencing tokens, it refuses (and counts) a changing call whose token is older
 * than one that has already acted on the cluster; the check is made when the call arrives, after
 * any gate it waited at, as a request delayed in the network would be.
 */
final class InMemoryFakeProvisioner implements Provisioner {
  final Map<String, Map<String, Machine>> clusters = new ConcurrentHashMap<>();
  final AtomicInteger created = new AtomicInteger();
  final AtomicReference<String> failNext = new AtomicReference<>();
  volatile boolean paused;
  final AtomicInteger ensureCalls = new AtomicInteger();
  volatile java.util.concurrent.CountDownLatch gate;
  final AtomicReference<java.util.concurrent.CountDownLatch> nextCallGate = new AtomicReference<>();
  final Map<String, Long> fences = new ConcurrentHashMap<>();
  final AtomicInteger fencedOut = new AtomicInteger();

  @Override
  public void ensure(ClusterRef cluster, List<NodeSpec> nodes) {
    String clusterId = cluster.clusterId();
    ensureCalls.incrementAndGet();
    java.util.concurrent.CountDownLatch once = nextCallGate.getAndSet(null);
    java.util.concurrent.CountDownLatch closed = once != null ? once : gate;
    if (closed != null) {
      try {
        closed.await(); // a slow provider: the calling pass holds its cluster lock meanwhile
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    admit(cluster);
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
  public void destroy(ClusterRef cluster, Set<String> nodeIds) {
    admit(cluster);
    Map<String, Machine> machines = clusters.getOrDefault(cluster.clusterId(), Map.of());
    nodeIds.forEach(machines::remove);
  }

  private void admit(ClusterRef cluster) {
    long newest = fences.merge(cluster.clusterId(), cluster.fence(), Math::max);
    if (newest > cluster.fence()) {
      fencedOut.incrementAndGet();
      throw new FencedOutException(cluster.clusterId(), cluster.fence(), newest);
    }
  }

  @Override
  public List<Machine> describe(String clusterId) {
    return new ArrayList<>(clusters.getOrDefault(clusterId, Map.of()).values());
  }
}
