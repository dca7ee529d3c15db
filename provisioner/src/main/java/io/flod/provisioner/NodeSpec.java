package io.flod.provisioner;

/**
 * One machine a cluster needs: its stable node id, size and zone, and the one-time token its agent
 * registers with. The token is null when the machine exists already and only needs starting again.
 */
public record NodeSpec(String nodeId, String size, String zone, String bootstrapToken) {
  @Override
  public String toString() {
    return "NodeSpec[" + nodeId + ", " + size + ", " + zone + "]"; // never the token
  }
}
