package io.flod.provisioner;

/**
 * Which cluster, of which tenant, machines belong to (both go into every machine's tags), and the
 * fencing token of the control-plane pass that makes the call. Tokens only grow, across
 * control-plane instances: a provider refuses a call whose token is older than one it has already
 * seen for the cluster (a {@link FencedOutException}), so a pass that lost its lock to a newer one
 * cannot act after it.
 */
public record ClusterRef(String tenantId, String clusterId, long fence) {}
