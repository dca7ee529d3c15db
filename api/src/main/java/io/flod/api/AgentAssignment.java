package io.flod.api;

import java.util.Map;

/**
 * What a node agent is to run, as the control plane answers its registration: the broker's identity
 * in its cluster, the ZooKeeper its cluster lives in, where to listen, broker settings, and broker
 * secrets (settings the agent hands to the broker in its environment, never on a command line, such
 * as {@code sas.rules.key}).
 */
public record AgentAssignment(
    String clusterId,
    String helixCluster,
    String nodeName,
    int brokerId,
    String zone,
    String updateDomain,
    String zkConnect,
    String host,
    int brokerPort,
    Map<String, String> brokerConfig,
    long heartbeatIntervalMs,
    Map<String, String> brokerSecrets) {
  public AgentAssignment {
    brokerSecrets = brokerSecrets == null ? Map.of() : Map.copyOf(brokerSecrets);
  }
}
