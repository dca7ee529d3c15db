package io.flod.controlplane.cluster;

/**
 * A cluster's observed state, as the reconciler last set it:
 *
 * <pre>
 *   Provisioning ──machines match the spec──► Ready ◄──machines match──┐
 *        │                                     │ spec changed          │
 *        │                                     ▼                       │
 *        └──────────── provider fails ──► Failed     Scaling ──────────┘
 *   any ──DELETE──► Deleting ──machines gone──► (row removed)
 * </pre>
 */
public enum ClusterState {
  PROVISIONING("Provisioning"),
  READY("Ready"),
  SCALING("Scaling"),
  DEGRADED("Degraded"),
  DELETING("Deleting"),
  FAILED("Failed");

  private final String apiName;

  ClusterState(String apiName) {
    this.apiName = apiName;
  }

  public String apiName() {
    return apiName;
  }
}
