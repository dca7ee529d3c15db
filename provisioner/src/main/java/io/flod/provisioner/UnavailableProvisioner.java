package io.flod.provisioner;

import java.util.List;
import java.util.Set;

/**
 * Stands in until a real provider is configured: it has no machines and refuses to create any, with
 * a message that says why, so operations fail clearly instead of hanging.
 */
public final class UnavailableProvisioner implements Provisioner {
  @Override
  public void ensure(String clusterId, List<NodeSpec> nodes) {
    throw new IllegalStateException(
        "No machine provider is configured yet: the local and jclouds providers come with the machines issue.");
  }

  @Override
  public void destroy(String clusterId, Set<String> nodeIds) {}

  @Override
  public List<Machine> describe(String clusterId) {
    return List.of();
  }
}
