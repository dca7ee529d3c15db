-- SAS authorization rules (Event Hubs' shared access policies) on a cluster or one of its topics.
-- Keys are kept in clear: brokers verify HMAC-SHA256 signatures with them (a hash would not do).
CREATE TABLE authorization_rules (
    id            UUID PRIMARY KEY,
    cluster_id    UUID NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
    topic_name    VARCHAR(249),
    name          VARCHAR(64) NOT NULL,
    rights        VARCHAR(32) NOT NULL,
    primary_key   VARCHAR(64) NOT NULL,
    secondary_key VARCHAR(64) NOT NULL,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    version       BIGINT NOT NULL
);
CREATE UNIQUE INDEX authorization_rules_scope_name ON authorization_rules (cluster_id, COALESCE(topic_name, ''), name);
