package io.flod.controlplane.cluster;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/** A managed cluster: the spec is the desired state; {@code state} is what was last observed. */
@Entity
@Table(name = "clusters")
public class Cluster {
  @Id private UUID id;

  @Column(name = "tenant_id", nullable = false)
  private UUID tenantId;

  @Column(nullable = false)
  private String name;

  @Column(name = "node_count", nullable = false)
  private int nodeCount;

  @Column(name = "node_size", nullable = false)
  private String nodeSize;

  /** Comma-separated; zone names cannot contain commas. */
  @Column(nullable = false)
  private String zones;

  @Column(name = "update_domains", nullable = false)
  private int updateDomains;

  @Column(name = "throughput_units", nullable = false)
  private int throughputUnits;

  @Column(name = "broker_version", nullable = false)
  private String brokerVersion;

  /** None or SAS (see ClusterSpec). */
  @Column(nullable = false)
  private String authentication;

  @Column(name = "http_max_message_bytes", nullable = false)
  private int httpMaxMessageBytes;

  /** Sealed (SecretBox); made on the first reconcile pass of a SAS cluster. */
  @Column(name = "broker_secret")
  private String brokerSecret;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false)
  private ClusterState state;

  /** Why the reconciler waits instead of acting (see {@link #waiting}); null when it does not. */
  @Column(name = "state_reason", length = 1000)
  private String stateReason;

  @Column(nullable = false)
  private boolean deleting;

  @Column(name = "created_at", nullable = false)
  private Instant createdAt;

  @Version private long version;

  protected Cluster() {}

  public Cluster(
      UUID tenantId,
      String name,
      int nodeCount,
      String nodeSize,
      List<String> zones,
      int updateDomains,
      int throughputUnits,
      String brokerVersion,
      String authentication,
      int httpMaxMessageBytes,
      Instant createdAt) {
    this.id = UUID.randomUUID();
    this.tenantId = tenantId;
    this.name = name;
    this.nodeCount = nodeCount;
    this.nodeSize = nodeSize;
    this.zones = String.join(",", zones);
    this.updateDomains = updateDomains;
    this.throughputUnits = throughputUnits;
    this.brokerVersion = brokerVersion;
    this.authentication = authentication;
    this.httpMaxMessageBytes = httpMaxMessageBytes;
    this.state = ClusterState.PROVISIONING;
    this.createdAt = createdAt;
  }

  public UUID id() {
    return id;
  }

  public UUID tenantId() {
    return tenantId;
  }

  public String name() {
    return name;
  }

  public int nodeCount() {
    return nodeCount;
  }

  public String nodeSize() {
    return nodeSize;
  }

  public List<String> zones() {
    return Arrays.asList(zones.split(","));
  }

  public int updateDomains() {
    return updateDomains;
  }

  public int httpMaxMessageBytes() {
    return httpMaxMessageBytes;
  }

  public int throughputUnits() {
    return throughputUnits;
  }

  public String brokerVersion() {
    return brokerVersion;
  }

  public String authentication() {
    return authentication;
  }

  public boolean sas() {
    return io.flod.api.ClusterSpec.SAS_AUTHENTICATION.equals(authentication);
  }

  public String sealedBrokerSecret() {
    return brokerSecret;
  }

  public void sealedBrokerSecret(String sealed) {
    brokerSecret = sealed;
  }

  public ClusterState state() {
    return state;
  }

  public boolean deleting() {
    return deleting;
  }

  public long version() {
    return version;
  }

  public void scale(Integer newNodeCount, Integer newThroughputUnits) {
    if (newNodeCount != null) {
      nodeCount = newNodeCount;
    }
    if (newThroughputUnits != null) {
      throughputUnits = newThroughputUnits;
    }
  }

  public void markDeleting() {
    deleting = true;
    state = ClusterState.DELETING;
  }

  public void observed(ClusterState newState) {
    state = newState;
  }

  /** Why the reconciler waits instead of acting, or null. */
  public String stateReason() {
    return stateReason;
  }

  /** Records why the reconciler waits ({@code reason}), or that it does not (null). */
  public void waiting(String reason) {
    stateReason = reason == null || reason.length() <= 1000 ? reason : reason.substring(0, 1000);
  }
}
