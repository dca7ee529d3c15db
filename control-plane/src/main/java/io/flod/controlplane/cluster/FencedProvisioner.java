package io.flod.controlplane.cluster;

import io.flod.provisioner.ClusterRef;
import io.flod.provisioner.Machine;
import io.flod.provisioner.NodeSpec;
import io.flod.provisioner.Provisioner;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * One pass's view of its cluster's machines: every change is checked against the pass's fencing
 * token first (in the database), and carries the token to the provider, which checks it against the
 * tokens its machines were made with.
 */
final class FencedProvisioner {
  private final Provisioner provisioner;
  private final ReconcileFence fence;
  private final ClusterRef cluster;

  FencedProvisioner(Provisioner provisioner, ReconcileFence fence, UUID tenantId) {
    this.provisioner = provisioner;
    this.fence = fence;
    this.cluster = new ClusterRef(tenantId.toString(), fence.clusterId().toString(), fence.token());
  }

  List<Machine> describe() {
    return provisioner.describe(cluster.clusterId());
  }

  void ensure(List<NodeSpec> nodes) {
    fence.check();
    provisioner.ensure(cluster, nodes);
  }

  void destroy(Set<String> nodeIds) {
    fence.check();
    provisioner.destroy(cluster, nodeIds);
  }

  /** Before a change outside the provider (the brokers' placement): no newer pass has acted. */
  void checkFence() {
    fence.check();
  }
}
