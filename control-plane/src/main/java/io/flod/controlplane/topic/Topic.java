package io.flod.controlplane.topic;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.UUID;

/** A topic of a cluster. {@code version} is its ETag. */
@Entity
@Table(name = "topics")
public class Topic {
  @Id private UUID id;

  @Column(name = "cluster_id", nullable = false)
  private UUID clusterId;

  @Column(nullable = false)
  private String name;

  @Column(nullable = false)
  private int partitions;

  @Column(name = "replication_factor", nullable = false)
  private int replicationFactor;

  @Column(name = "retention_hours", nullable = false)
  private int retentionHours;

  @Column(name = "min_insync_replicas", nullable = false)
  private int minInsyncReplicas;

  @Column(name = "cleanup_policy", nullable = false)
  private String cleanupPolicy;

  @Column(name = "max_message_bytes", nullable = false)
  private int maxMessageBytes;

  @Column(name = "created_at", nullable = false)
  private Instant createdAt;

  @Version private long version;

  protected Topic() {}

  public Topic(
      UUID clusterId,
      String name,
      int partitions,
      int replicationFactor,
      int retentionHours,
      int minInsyncReplicas,
      String cleanupPolicy,
      int maxMessageBytes,
      Instant createdAt) {
    this.id = UUID.randomUUID();
    this.clusterId = clusterId;
    this.name = name;
    this.partitions = partitions;
    this.replicationFactor = replicationFactor;
    this.retentionHours = retentionHours;
    this.minInsyncReplicas = minInsyncReplicas;
    this.cleanupPolicy = cleanupPolicy;
    this.maxMessageBytes = maxMessageBytes;
    this.createdAt = createdAt;
  }

  public UUID clusterId() {
    return clusterId;
  }

  public String name() {
    return name;
  }

  public int partitions() {
    return partitions;
  }

  public int replicationFactor() {
    return replicationFactor;
  }

  public int retentionHours() {
    return retentionHours;
  }

  public int minInsyncReplicas() {
    return minInsyncReplicas;
  }

  public String cleanupPolicy() {
    return cleanupPolicy;
  }

  public int maxMessageBytes() {
    return maxMessageBytes;
  }

  public long version() {
    return version;
  }

  public void change(
      Integer newPartitions,
      Integer newRetentionHours,
      Integer newMinIsr,
      Integer newMaxMessageBytes) {
    if (newPartitions != null) {
      partitions = newPartitions;
    }
    if (newRetentionHours != null) {
      retentionHours = newRetentionHours;
    }
    if (newMinIsr != null) {
      minInsyncReplicas = newMinIsr;
    }
    if (newMaxMessageBytes != null) {
      maxMessageBytes = newMaxMessageBytes;
    }
  }
}
