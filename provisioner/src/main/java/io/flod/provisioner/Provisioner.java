package io.flod.provisioner;

import java.util.List;
import java.util.Set;

/**
 * Turns "cluster C needs these nodes" into machines that run the node agent. Every call is
 * idempotent, because a reconciler may repeat any step after a crash: asking for nodes that exist
 * creates nothing, destroying nodes that are gone is not an error. Implementations: a jclouds
 * provider for real clouds and a local one whose machines are processes (the machines issue); tests
 * use an in-memory fake.
 *
 * <p>It knows nothing of topics, tenants or Helix.
 */
public interface Provisioner {
  /** Makes sure these nodes exist for the cluster, creating the missing ones. */
  void ensure(String clusterId, List<NodeSpec> nodes);

  /** Destroys these nodes of the cluster (stopping their agents first). */
  void destroy(String clusterId, Set<String> nodeIds);

  /** The cluster's machines as they are now. */
  List<Machine> describe(String clusterId);
}
