package io.flod.controlplane.sas;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A publisher of a topic whose sends the brokers refuse until it is restored. */
@Entity
@Table(name = "revoked_publishers")
public class RevokedPublisher {
  @Id private UUID id;

  @Column(name = "cluster_id", nullable = false)
  private UUID clusterId;

  @Column(name = "topic_name", nullable = false)
  private String topicName;

  @Column(nullable = false)
  private String publisher;

  @Column(name = "revoked_at", nullable = false)
  private Instant revokedAt;

  protected RevokedPublisher() {}

  public RevokedPublisher(UUID clusterId, String topicName, String publisher, Instant revokedAt) {
    this.id = UUID.randomUUID();
    this.clusterId = clusterId;
    this.topicName = topicName;
    this.publisher = publisher;
    this.revokedAt = revokedAt;
  }

  public String topicName() {
    return topicName;
  }

  public String publisher() {
    return publisher;
  }

  public Instant revokedAt() {
    return revokedAt;
  }
}
