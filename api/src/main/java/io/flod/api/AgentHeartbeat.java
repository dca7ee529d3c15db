package io.flod.api;

/**
 * A node agent's report ({@code POST /v1/agents/heartbeat}): how its broker is, the ports it
 * actually listens on, why it last ended, and whether a decommission it was told to do has
 * finished.
 *
 * @param brokerState {@code starting|running|restarting|crashLooping|stopped}
 * @param brokerPort the Kafka port the broker bound (it may differ from the one registered: a taken
 *     port falls back to a free one), or 0 before the broker said
 * @param httpPort the port its HTTP publishing head bound, or 0 for none or not yet known
 * @param lastExitCode the exit code of the broker's last unrequested exit, or null if none
 * @param lastError why the broker last ended or could not start (for example {@code cannot listen
 *     on 127.0.0.1:44803 (Kafka): address already in use}), or null if it never did
 */
public record AgentHeartbeat(
    String brokerState,
    int restarts,
    long diskUsedBytes,
    long diskFreeBytes,
    int partitionsLed,
    boolean decommissioned,
    int brokerPort,
    int httpPort,
    Integer lastExitCode,
    String lastError) {}
