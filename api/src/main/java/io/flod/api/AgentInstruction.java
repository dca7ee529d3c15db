package io.flod.api;

/**
 * The control plane's answer to a heartbeat: keep running the broker, or decommission (stop it
 * cleanly because every replica has moved away, and report {@code decommissioned}).
 */
public record AgentInstruction(String action) {
  public static final String RUN = "run";
  public static final String DECOMMISSION = "decommission";
}
