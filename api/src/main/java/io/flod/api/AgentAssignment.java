package io.flod.api;

import java.util.Map;

/**
 * What a node agent is to run, as the control plane answers its registration: the broker's identity
 * in its cluster, the ZooKeeper its cluster lives in, where to listen, and broker settings.
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
    long heartbeatIntervalMs) {}
