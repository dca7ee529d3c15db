-- Publishers (the <name> of a token for <topic>/publishers/<name>) whose sends the brokers refuse.
CREATE TABLE revoked_publishers (
    id          UUID PRIMARY KEY,
    cluster_id  UUID NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
    topic_name  VARCHAR(249) NOT NULL,
    publisher   VARCHAR(128) NOT NULL,
    revoked_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    UNIQUE (cluster_id, topic_name, publisher)
);
