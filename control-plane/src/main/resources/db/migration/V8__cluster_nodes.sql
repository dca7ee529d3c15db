-- The machines of each cluster as the control plane knows them: which node id they run, the hash of
-- the one-time bootstrap token their agent registers with, where their broker listens, and the last
-- heartbeat. Rows come and go with the machines; the reconciler owns them, agents update heartbeats.
CREATE TABLE cluster_nodes (
    cluster_id        UUID NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
    node_name         VARCHAR(32) NOT NULL,
    broker_id         INT NOT NULL,
    zone              VARCHAR(32) NOT NULL,
    update_domain     VARCHAR(16) NOT NULL,
    token_hash        VARCHAR(64) NOT NULL UNIQUE,
    host              VARCHAR(255),
    broker_port       INT,
    created_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    registered_at     TIMESTAMP WITH TIME ZONE,
    last_heartbeat_at TIMESTAMP WITH TIME ZONE,
    broker_state      VARCHAR(16),
    restarts          INT NOT NULL DEFAULT 0,
    disk_used_bytes   BIGINT NOT NULL DEFAULT 0,
    disk_free_bytes   BIGINT NOT NULL DEFAULT 0,
    partitions_led    INT NOT NULL DEFAULT 0,
    decommission      BOOLEAN NOT NULL DEFAULT FALSE,
    decommissioned    BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (cluster_id, node_name)
);
