-- Clusters: the spec a tenant asked for (desired state) and the state the reconciler observed.
CREATE TABLE clusters (
    id               UUID PRIMARY KEY,
    tenant_id        UUID NOT NULL REFERENCES tenants (id) ON DELETE RESTRICT,
    name             VARCHAR(63) NOT NULL,
    node_count       INT NOT NULL,
    node_size        VARCHAR(32) NOT NULL,
    zones            VARCHAR(512) NOT NULL,
    throughput_units INT NOT NULL,
    broker_version   VARCHAR(16) NOT NULL,
    state            VARCHAR(16) NOT NULL,
    deleting         BOOLEAN NOT NULL,
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    version          BIGINT NOT NULL,
    UNIQUE (tenant_id, name)
);

-- Every change that takes time. (tenant_id, idempotency_key) makes a retried POST find its first operation.
CREATE TABLE operations (
    id               UUID PRIMARY KEY,
    tenant_id        UUID NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    cluster_id       UUID NOT NULL,
    cluster_name     VARCHAR(63) NOT NULL,
    kind             VARCHAR(16) NOT NULL,
    status           VARCHAR(16) NOT NULL,
    percent_complete INT NOT NULL,
    error_code       VARCHAR(64),
    error_message    VARCHAR(1024),
    idempotency_key  VARCHAR(128),
    request_hash     VARCHAR(64),
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    version          BIGINT NOT NULL,
    UNIQUE (tenant_id, idempotency_key)
);
CREATE INDEX operations_cluster ON operations (cluster_id, status);
