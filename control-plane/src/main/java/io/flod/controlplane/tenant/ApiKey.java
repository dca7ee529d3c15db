package io.flod.controlplane.tenant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.UUID;

/** A tenant's API key: only the SHA-256 hash of its secret is stored. */
@Entity
@Table(name = "api_keys")
public class ApiKey {
  @Id private UUID id;

  @Column(name = "tenant_id", nullable = false)
  private UUID tenantId;

  @Column(name = "key_hash", nullable = false, unique = true)
  private String keyHash;

  @Column(nullable = false)
  private String prefix;

  @Column(name = "created_at", nullable = false)
  private Instant createdAt;

  @Column(name = "revoked_at")
  private Instant revokedAt;

  @Version private long version;

  protected ApiKey() {}

  public ApiKey(UUID tenantId, String keyHash, String prefix, Instant createdAt) {
    this.id = UUID.randomUUID();
    this.tenantId = tenantId;
    this.keyHash = keyHash;
    this.prefix = prefix;
    this.createdAt = createdAt;
  }

  public UUID id() {
    return id;
  }

  public UUID tenantId() {
    return tenantId;
  }

  public String prefix() {
    return prefix;
  }

  public Instant createdAt() {
    return createdAt;
  }

  public Instant revokedAt() {
    return revokedAt;
  }

  public void revoke(Instant at) {
    if (revokedAt == null) {
      revokedAt = at;
    }
  }
}
