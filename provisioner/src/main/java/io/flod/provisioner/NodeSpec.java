package io.flod.provisioner;

/** One machine a cluster needs: its stable node id, size and zone. */
public record NodeSpec(String nodeId, String size, String zone) {}
