-- Tenant API keys. Only the SHA-256 of the secret is kept; prefix helps an owner tell keys apart.
CREATE TABLE api_keys (
    id         UUID PRIMARY KEY,
    tenant_id  UUID NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    key_hash   VARCHAR(64) NOT NULL UNIQUE,
    prefix     VARCHAR(16) NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    revoked_at TIMESTAMP WITH TIME ZONE,
    version    BIGINT NOT NULL
);
CREATE INDEX api_keys_tenant ON api_keys (tenant_id);
