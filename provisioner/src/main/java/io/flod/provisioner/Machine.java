package io.flod.provisioner;

/** A machine as the provider reports it. */
public record Machine(String nodeId, String zone, String address, State state) {
  /** Where a machine is in its life. */
  public enum State {
    PENDING,
    RUNNING,
    /** Exists but is not running (a local machine whose agent stopped with its host). */
    STOPPED,
    TERMINATING
  }
}
