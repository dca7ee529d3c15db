-- Topics (event hubs) of a cluster, as the tenant asked for them.
CREATE TABLE topics (
    id                  UUID PRIMARY KEY,
    cluster_id          UUID NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
    name                VARCHAR(249) NOT NULL,
    partitions          INT NOT NULL,
    replication_factor  INT NOT NULL,
    retention_hours     INT NOT NULL,
    min_insync_replicas INT NOT NULL,
    cleanup_policy      VARCHAR(16) NOT NULL,
    max_message_bytes   INT NOT NULL,
    created_at          TIMESTAMP WITH TIME ZONE NOT NULL,
    version             BIGINT NOT NULL,
    UNIQUE (cluster_id, name)
);
