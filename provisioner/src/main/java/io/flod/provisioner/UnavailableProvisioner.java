package io.flod.provisioner;

import java.util.List;
import java.util.Set;

/**
 * Stands in when the control plane runs without machines (for example against brokers an operator
 * runs by hand): it has none and refuses to create any, with a message that says why, so operations
 * fail clearly instead of hanging.
 */
public final class UnavailableProvisioner implements Provisioner {
  @Override
  public void ensure(ClusterRef cluster, List<NodeSpec> nodes) {
    throw new IllegalStateException(
        "No machine provider is configured: start the control plane with --provider local (the"
            + " default) or a jclouds provider.");
  }

  @Override
  public void destroy(ClusterRef cluster, Set<String> nodeIds) {}

  @Override
  public List<Machine> describe(String clusterId) {
    return List.of();
  }
}
