package io.flod.controlplane.cluster;

import io.flod.provisioner.Machine;
import io.flod.provisioner.Provisioner;
import java.util.concurrent.ConcurrentHashMap;

/** Lets tests in other packages drive the package-private {@link InMemoryFakeProvisioner}. */
public final class InMemoryFakeProvisionerAccess {
  private final InMemoryFakeProvisioner fake = new InMemoryFakeProvisioner();

  public Provisioner provisioner() {
    return fake;
  }

  private final FakeFleet fleet = new FakeFleet(fake);

  /** Brokers to go with the fake machines: one per running machine. */
  public io.flod.controlplane.fleet.BrokerFleet fleet() {
    return fleet;
  }

  /** Throughput units last published for each cluster. */
  public java.util.Collection<Integer> publishedThroughputUnits() {
    return fleet.publishedThroughputUnits();
  }

  /** The SAS rules last published for each cluster, as its brokers would read them. */
  public java.util.Collection<io.flod.broker.auth.SasRuleBook.Snapshot> publishedRules() {
    return fleet.publishedAll();
  }

  public int created() {
    return fake.created.get();
  }

  /** Machines of every cluster. */
  public int machines() {
    return fake.clusters.values().stream().mapToInt(java.util.Map::size).sum();
  }

  public void failNext(String message) {
    fake.failNext.set(message);
  }

  public void pause(boolean paused) {
    fake.paused = paused;
  }

  /** Makes every ensure() wait until the returned latch is counted down. */
  public java.util.concurrent.CountDownLatch closeGate() {
    java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
    fake.gate = gate;
    return gate;
  }

  public void openGate() {
    java.util.concurrent.CountDownLatch gate = fake.gate;
    fake.gate = null;
    if (gate != null) {
      gate.countDown();
    }
  }

  /** Makes only the next ensure() wait until the returned latch is counted down. */
  public java.util.concurrent.CountDownLatch holdNextCall() {
    java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
    fake.nextCallGate.set(gate);
    return gate;
  }

  /** Changing calls refused because their fencing token was stale. */
  public int fencedOut() {
    return fake.fencedOut.get();
  }

  public int ensureCalls() {
    return fake.ensureCalls.get();
  }

  /** A machine the provider made before a crash: it belongs to the only cluster known so far. */
  public void createOneMachineBehindTheScenes(String nodeId, String zone) {
    String clusterId = fake.clusters.keySet().stream().findFirst().orElseThrow();
    fake.clusters
        .computeIfAbsent(clusterId, k -> new ConcurrentHashMap<>())
        .put(nodeId, new Machine(nodeId, zone, "10.9.9.9", Machine.State.RUNNING));
    fake.created.incrementAndGet();
  }
}
