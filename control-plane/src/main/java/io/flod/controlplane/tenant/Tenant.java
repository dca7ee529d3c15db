package io.flod.controlplane.tenant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.UUID;

/**
 * A tenant: the owner of clusters and API keys. {@code version} increments on every change and is
 * the resource's ETag, so a stale {@code If-Match} fails instead of overwriting a newer change.
 */
@Entity
@Table(name = "tenants")
public class Tenant {
  @Id private UUID id;

  @Column(nullable = false, unique = true)
  private String name;

  @Column(name = "display_name")
  private String displayName;

  @Column(name = "created_at", nullable = false)
  private Instant createdAt;

  @Version private long version;

  protected Tenant() {}

  public Tenant(String name, String displayName, Instant createdAt) {
    this.id = UUID.randomUUID();
    this.name = name;
    this.displayName = displayName;
    this.createdAt = createdAt;
  }

  public UUID id() {
    return id;
  }

  public String name() {
    return name;
  }

  public String displayName() {
    return displayName;
  }

  public void rename(String newDisplayName) {
    this.displayName = newDisplayName;
  }

  public Instant createdAt() {
    return createdAt;
  }

  public long version() {
    return version;
  }
}
