-- Consumer groups of a topic, as Event Hubs models them. $Default is implicit and never stored.
CREATE TABLE consumer_groups (
    id          UUID PRIMARY KEY,
    cluster_id  UUID NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
    topic_name  VARCHAR(249) NOT NULL,
    name        VARCHAR(255) NOT NULL,
    user_metadata VARCHAR(1024),
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    version     BIGINT NOT NULL,
    UNIQUE (cluster_id, topic_name, name)
);
