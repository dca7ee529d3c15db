package io.flod.api;

import java.util.List;

/** A cluster: its spec and what the control plane last observed. */
public record ClusterView(String name, ClusterSpec spec, Status status, String etag) {
  /**
   * Observed state: {@code Provisioning|Ready|Scaling|Degraded|Deleting|Failed} ({@code Degraded}:
   * a node is missing or down with no operation under way, or a partition has no leader); the
   * nodes; the bootstrap servers of the live brokers (empty until one is up); and the URLs where
   * the live brokers take events over HTTP ({@code POST <url>/<topic>/messages}, Event Hubs' REST
   * API); and {@code stateReason}, why the control plane is waiting instead of acting (for example
   * "healing paused: 3 of 3 nodes silent, treating as a network partition or outage"), null when it
   * is not; and the partitions that have no leader, with why (empty when every partition is
   * served).
   */
  public record Status(
      String state,
      List<Node> nodes,
      String bootstrapServers,
      List<String> httpEndpoints,
      String stateReason,
      List<OfflinePartition> offlinePartitions) {}

  /**
   * A partition no broker serves: every in-sync replica is gone, or came back without the data it
   * held. In the second case it stays so until an operator accepts the loss ({@code POST
   * .../topics/{topic}/partitions/{p}/acceptDataLoss}).
   *
   * @param partition {@code topic-partition}
   * @param reason which in-sync replicas are down and which lost their data
   */
  public record OfflinePartition(String partition, String reason) {}

  /**
   * One machine: its state at the provider, and its broker as the node agent reports it.
   *
   * @param brokerState {@code starting|running|restarting|crashLooping|stopped}, or null before the
   *     agent reported
   * @param brokerAddress host:port where the node's broker listens, as the agent reports the port
   *     it bound, or null before it registered
   * @param lastExitCode the exit code of the broker's last unrequested exit, or null if none
   * @param lastError why the broker last ended or could not start, or null if it never did
   */
  public record Node(
      String nodeId,
      String zone,
      String state,
      String brokerState,
      int restarts,
      int partitionsLed,
      String brokerAddress,
      Integer lastExitCode,
      String lastError) {}
}
