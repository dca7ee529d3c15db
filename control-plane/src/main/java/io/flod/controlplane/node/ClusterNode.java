package io.flod.controlplane.node;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * One machine of a cluster as the control plane knows it: created by the reconciler with a fresh
 * bootstrap token before it asks the provider for the machine, registered by the machine's agent,
 * kept fresh by its heartbeats, and removed after the machine is destroyed.
 */
@Entity
@Table(name = "cluster_nodes")
@org.hibernate.annotations
    .DynamicUpdate // agents' heartbeats and the reconciler write different columns
public class ClusterNode {
  /** (cluster, node name). */
  @Embeddable
  public record Key(
      @Column(name = "cluster_id") UUID clusterId, @Column(name = "node_name") String nodeName)
      implements Serializable {}

  @EmbeddedId private Key key;

  @Column(name = "broker_id", nullable = false)
  private int brokerId;

  @Column(nullable = false)
  private String zone;

  @Column(name = "update_domain", nullable = false)
  private String updateDomain;

  @Column(name = "token_hash", nullable = false)
  private String tokenHash;

  private String host;

  @Column(name = "broker_port")
  private Integer brokerPort;

  @Column(name = "http_port")
  private Integer httpPort;

  @Column(name = "created_at", nullable = false)
  private Instant createdAt;

  @Column(name = "registered_at")
  private Instant registeredAt;

  @Column(name = "last_heartbeat_at")
  private Instant lastHeartbeatAt;

  @Column(name = "broker_state")
  private String brokerState;

  @Column(nullable = false)
  private int restarts;

  @Column(name = "disk_used_bytes", nullable = false)
  private long diskUsedBytes;

  @Column(name = "disk_free_bytes", nullable = false)
  private long diskFreeBytes;

  @Column(name = "partitions_led", nullable = false)
  private int partitionsLed;

  @Column(nullable = false)
  private boolean decommission;

  @Column(nullable = false)
  private boolean decommissioned;

  @Column(name = "last_exit_code")
  private Integer lastExitCode;

  @Column(name = "last_error")
  private String lastError;

  protected ClusterNode() {}

  public ClusterNode(
      UUID clusterId,
      String nodeName,
      int brokerId,
      String zone,
      String updateDomain,
      String tokenHash,
      Instant now) {
    this.key = new Key(clusterId, nodeName);
    this.brokerId = brokerId;
    this.zone = zone;
    this.updateDomain = updateDomain;
    this.tokenHash = tokenHash;
    this.createdAt = now;
  }

  public UUID clusterId() {
    return key.clusterId();
  }

  public String nodeName() {
    return key.nodeName();
  }

  public int brokerId() {
    return brokerId;
  }

  public String zone() {
    return zone;
  }

  public String updateDomain() {
    return updateDomain;
  }

  public String host() {
    return host;
  }

  public Integer brokerPort() {
    return brokerPort;
  }

  public Instant createdAt() {
    return createdAt;
  }

  public Instant lastHeartbeatAt() {
    return lastHeartbeatAt;
  }

  public String brokerState() {
    return brokerState;
  }

  public int restarts() {
    return restarts;
  }

  public int partitionsLed() {
    return partitionsLed;
  }

  public long diskUsedBytes() {
    return diskUsedBytes;
  }

  public boolean decommission() {
    return decommission;
  }

  /** The exit code of the broker's last unrequested exit, or null if it never had one. */
  public Integer lastExitCode() {
    return lastExitCode;
  }

  /** Why the broker last ended or could not start, as its agent read it; null if never. */
  public String lastError() {
    return lastError;
  }

  public boolean decommissioned() {
    return decommissioned;
  }

  public boolean registered() {
    return registeredAt != null;
  }

  /** Where clients reach this node's broker, once its agent registered. */
  public String bootstrapAddress() {
    return host == null || brokerPort == null || brokerPort <= 0 ? null : host + ":" + brokerPort;
  }

  /** True if the agent reported within {@code grace} of {@code now} (or was made that recently). */
  public boolean heardFromWithin(Duration grace, Instant now) {
    Instant last = lastHeartbeatAt != null ? lastHeartbeatAt : createdAt;
    return !last.plus(grace).isBefore(now);
  }

  /**
   * Where this node's broker takes events over HTTP ({@code https} when the brokers have TLS), or
   * null when it has no HTTP head.
   */
  public String httpEndpoint(boolean tls) {
    return host == null || httpPort == null || httpPort <= 0
        ? null
        : (tls ? "https://" : "http://") + host + ":" + httpPort;
  }

  public Integer httpPort() {
    return httpPort;
  }

  public void registered(String host, int brokerPort, int httpPort, Instant now) {
    this.host = host;
    this.brokerPort = brokerPort;
    this.httpPort = httpPort > 0 ? httpPort : null;
    this.registeredAt = now;
    this.lastHeartbeatAt = now;
  }

  /**
   * The agent's report. The ports are those the broker bound (0: not known yet); they replace the
   * registered ones, so status, bootstrap servers and HTTP endpoints name where it really listens.
   */
  public void heartbeat(
      String brokerState,
      int restarts,
      long diskUsed,
      long diskFree,
      int partitionsLed,
      boolean decommissioned,
      int boundBrokerPort,
      int boundHttpPort,
      Integer lastExitCode,
      String lastError,
      Instant now) {
    if (boundBrokerPort > 0 && boundBrokerPort <= 65535) {
      this.brokerPort = boundBrokerPort;
    }
    if (boundHttpPort > 0 && boundHttpPort <= 65535) {
      this.httpPort = boundHttpPort;
    }
    this.lastExitCode = lastExitCode;
    this.lastError =
        lastError == null || lastError.length() <= 500 ? lastError : lastError.substring(0, 500);
    this.brokerState = brokerState;
    this.restarts = restarts;
    this.diskUsedBytes = diskUsed;
    this.diskFreeBytes = diskFree;
    this.partitionsLed = partitionsLed;
    this.decommissioned = this.decommission && decommissioned;
    this.lastHeartbeatAt = now;
  }

  public void requestDecommission() {
    this.decommission = true;
  }
}
