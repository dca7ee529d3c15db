package io.flod.api;

/**
 * A node agent's report ({@code POST /v1/agents/heartbeat}): how its broker is, and whether a
 * decommission it was told to do has finished.
 *
 * @param brokerState {@code starting|running|restarting|crash-loop|stopped}
 */
public record AgentHeartbeat(
    String brokerState,
    int restarts,
    long diskUsedBytes,
    long diskFreeBytes,
    int partitionsLed,
    boolean decommissioned) {}
