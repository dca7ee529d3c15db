package io.flod.controlplane.group;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.UUID;

/** A consumer group a tenant created on a topic ($Default is implicit, never stored). */
@Entity(name = "ConsumerGroup")
@Table(name = "consumer_groups")
public class ConsumerGroupEntity {
  @Id private UUID id;

  @Column(name = "cluster_id", nullable = false)
  private UUID clusterId;

  @Column(name = "topic_name", nullable = false)
  private String topicName;

  @Column(nullable = false)
  private String name;

  @Column(name = "user_metadata")
  private String userMetadata;

  @Column(name = "created_at", nullable = false)
  private Instant createdAt;

  @Version private long version;

  protected ConsumerGroupEntity() {}

  public ConsumerGroupEntity(
      UUID clusterId, String topicName, String name, String userMetadata, Instant createdAt) {
    this.id = UUID.randomUUID();
    this.clusterId = clusterId;
    this.topicName = topicName;
    this.name = name;
    this.userMetadata = userMetadata;
    this.createdAt = createdAt;
  }

  public String name() {
    return name;
  }

  public void describe(String newUserMetadata) {
    userMetadata = newUserMetadata;
  }

  public String userMetadata() {
    return userMetadata;
  }
}
