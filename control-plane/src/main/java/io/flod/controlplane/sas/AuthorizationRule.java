package io.flod.controlplane.sas;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * A SAS policy on a cluster ({@code topicName} null) or on one topic. Two keys, so either can be
 * regenerated while clients still use the other.
 */
@Entity
@Table(name = "authorization_rules")
public class AuthorizationRule {
  @Id private UUID id;

  @Column(name = "cluster_id", nullable = false)
  private UUID clusterId;

  @Column(name = "topic_name")
  private String topicName;

  @Column(nullable = false)
  private String name;

  /** Comma-separated, among send, listen, manage. */
  @Column(nullable = false)
  private String rights;

  @Column(name = "primary_key", nullable = false)
  private String primaryKey;

  @Column(name = "secondary_key", nullable = false)
  private String secondaryKey;

  @Column(name = "created_at", nullable = false)
  private Instant createdAt;

  @Version private long version;

  protected AuthorizationRule() {}

  public AuthorizationRule(
      UUID clusterId,
      String topicName,
      String name,
      List<String> rights,
      String primaryKey,
      String secondaryKey,
      Instant createdAt) {
    this.id = UUID.randomUUID();
    this.clusterId = clusterId;
    this.topicName = topicName;
    this.name = name;
    this.rights = String.join(",", rights);
    this.primaryKey = primaryKey;
    this.secondaryKey = secondaryKey;
    this.createdAt = createdAt;
  }

  public String name() {
    return name;
  }

  public String topicName() {
    return topicName;
  }

  public List<String> rights() {
    return Arrays.asList(rights.split(","));
  }

  public String primaryKey() {
    return primaryKey;
  }

  public String secondaryKey() {
    return secondaryKey;
  }

  public long version() {
    return version;
  }

  public void grant(List<String> newRights) {
    rights = String.join(",", newRights);
  }

  public void replacePrimaryKey(String key) {
    primaryKey = key;
  }

  public void replaceSecondaryKey(String key) {
    secondaryKey = key;
  }
}
