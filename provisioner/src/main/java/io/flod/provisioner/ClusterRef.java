package io.flod.provisioner;

/** Which cluster, of which tenant, machines belong to: both go into every machine's tags. */
public record ClusterRef(String tenantId, String clusterId) {}
