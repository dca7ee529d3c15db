-- Tenants own clusters and API keys. version is the optimistic-lock counter and the ETag.
CREATE TABLE tenants (
    id           UUID PRIMARY KEY,
    name         VARCHAR(63) NOT NULL UNIQUE,
    display_name VARCHAR(255),
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    version      BIGINT NOT NULL
);
