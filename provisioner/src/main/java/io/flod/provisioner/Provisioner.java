package io.flod.provisioner;

import java.util.List;
import java.util.Set;

/**
 * Turns "cluster C needs these nodes" into machines that run the node agent. Every call is
 * idempotent, because a reconciler may repeat any step after a crash: asking for nodes that exist
 * and run creates nothing (a stopped one is started again), destroying nodes that are gone is not
 * an error. Implementations: {@link io.flod.provisioner.jclouds.JcloudsProvisioner} over any
 * jclouds compute provider, including Flod's local one whose machines are processes; tests of the
 * control plane use an in-memory fake.
 *
 * <p>Both changing calls carry the caller's fencing token ({@link ClusterRef#fence()}) and throw
 * {@link FencedOutException}, changing nothing, when a newer token has already acted on the
 * cluster's machines.
 *
 * <p>It knows nothing of topics, tenants (beyond tagging) or Helix.
 */
public interface Provisioner extends AutoCloseable {
  /**
   * Makes sure these nodes exist and run, creating the missing ones. Machines made before a failure
   * are kept; the failures are reported in a {@link ProvisioningException}.
   */
  void ensure(ClusterRef cluster, List<NodeSpec> nodes);

  /** Destroys these nodes of the cluster (stopping their agents first). */
  void destroy(ClusterRef cluster, Set<String> nodeIds);

  /** The cluster's machines as they are now. */
  List<Machine> describe(String clusterId);

  @Override
  default void close() {}
}
