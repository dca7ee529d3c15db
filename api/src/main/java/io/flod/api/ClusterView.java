package io.flod.api;

import java.util.List;

/** A cluster: its spec and what the control plane last observed. */
public record ClusterView(String name, ClusterSpec spec, Status status, String etag) {
  /** Observed state: {@code Provisioning|Ready|Scaling|Degraded|Deleting|Failed}. */
  public record Status(String state, List<Node> nodes) {}

  public record Node(String nodeId, String zone, String state) {}
}
