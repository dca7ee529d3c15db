package io.flod.controlplane.cluster;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.UUID;

/** A long-running change to a cluster, followed by its client through {@code /v1/operations}. */
@Entity
@Table(name = "operations")
public class Operation {
  /** What the operation does. */
  public enum Kind {
    CREATE,
    SCALE,
    DELETE,
    /** An operator brought an offline partition back, accepting what its lost replicas held. */
    ACCEPT_DATA_LOSS
  }

  @Id private UUID id;

  @Column(name = "tenant_id", nullable = false)
  private UUID tenantId;

  @Column(name = "cluster_id", nullable = false)
  private UUID clusterId;

  /** Kept with the operation: the cluster row is gone once a DELETE succeeds. */
  @Column(name = "cluster_name", nullable = false)
  private String clusterName;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false)
  private Kind kind;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false)
  private OperationStatus status;

  @Column(name = "percent_complete", nullable = false)
  private int percentComplete;

  @Column(name = "error_code")
  private String errorCode;

  @Column(name = "error_message")
  private String errorMessage;

  @Column(name = "idempotency_key")
  private String idempotencyKey;

  @Column(name = "request_hash")
  private String requestHash;

  @Column(name = "created_at", nullable = false)
  private Instant createdAt;

  @Column(name = "updated_at", nullable = false)
  private Instant updatedAt;

  /** Who asked, for operations an operator takes at once. */
  @Column(name = "requested_by")
  private String requestedBy;

  /** What an operation taken at once did. */
  @Column(name = "detail")
  private String detail;

  @Version private long version;

  protected Operation() {}

  /** An operation done at once, recorded as Succeeded with who asked and what it did. */
  public static Operation done(
      UUID tenantId,
      UUID clusterId,
      String clusterName,
      Kind kind,
      String requestedBy,
      String detail,
      Instant now) {
    Operation op = new Operation(tenantId, clusterId, clusterName, kind, null, null, now);
    op.requestedBy = requestedBy;
    op.detail = detail;
    op.succeed(now);
    return op;
  }

  public String requestedBy() {
    return requestedBy;
  }

  public String detail() {
    return detail;
  }

  public Operation(
      UUID tenantId,
      UUID clusterId,
      String clusterName,
      Kind kind,
      String idempotencyKey,
      String requestHash,
      Instant now) {
    this.id = UUID.randomUUID();
    this.tenantId = tenantId;
    this.clusterId = clusterId;
    this.clusterName = clusterName;
    this.kind = kind;
    this.status = OperationStatus.IN_PROGRESS;
    this.idempotencyKey = idempotencyKey;
    this.requestHash = requestHash;
    this.createdAt = now;
    this.updatedAt = now;
  }

  public UUID id() {
    return id;
  }

  public UUID tenantId() {
    return tenantId;
  }

  public UUID clusterId() {
    return clusterId;
  }

  public String clusterName() {
    return clusterName;
  }

  public Kind kind() {
    return kind;
  }

  public OperationStatus status() {
    return status;
  }

  public int percentComplete() {
    return percentComplete;
  }

  public String errorCode() {
    return errorCode;
  }

  public String errorMessage() {
    return errorMessage;
  }

  public String requestHash() {
    return requestHash;
  }

  public Instant createdAt() {
    return createdAt;
  }

  public Instant updatedAt() {
    return updatedAt;
  }

  public void progress(int percent, Instant now) {
    requireInProgress("progress");
    percentComplete = Math.max(percentComplete, Math.min(99, percent));
    updatedAt = now;
  }

  /**
   * What keeps this operation from finishing (a node whose broker cannot start, and why), shown as
   * its error while it is in progress; null codes clear it. It stays in progress: the reconciler
   * keeps trying, and the cause may go away (a port freed, a directory made writable).
   */
  public void blockedBy(String code, String message, Instant now) {
    requireInProgress("report what blocks it");
    String capped =
        message == null || message.length() <= 1000 ? message : message.substring(0, 1000);
    if (java.util.Objects.equals(code, errorCode)
        && java.util.Objects.equals(capped, errorMessage)) {
      return;
    }
    errorCode = code;
    errorMessage = code == null ? null : capped;
    updatedAt = now;
  }

  public void succeed(Instant now) {
    requireInProgress("succeed");
    status = OperationStatus.SUCCEEDED;
    errorCode = null;
    errorMessage = null;
    percentComplete = 100;
    updatedAt = now;
  }

  public void fail(String code, String message, Instant now) {
    requireInProgress("fail");
    status = OperationStatus.FAILED;
    errorCode = code;
    errorMessage = message.length() > 1000 ? message.substring(0, 1000) : message;
    updatedAt = now;
  }

  /** The tenant stopped it ({@code POST /v1/operations/{id}/cancel}). */
  public void cancel(Instant now) {
    requireInProgress("cancel");
    status = OperationStatus.CANCELED;
    errorCode = "CanceledByUser";
    errorMessage = "The operation was canceled on request.";
    updatedAt = now;
  }

  /** A newer operation on the same cluster replaces this one before it finished. */
  public void supersede(Instant now) {
    requireInProgress("cancel");
    status = OperationStatus.CANCELED;
    errorCode = "Superseded";
    errorMessage = "A later change to the cluster replaced this operation.";
    updatedAt = now;
  }

  private void requireInProgress(String action) {
    if (status.finished()) {
      throw new IllegalStateException("operation " + id + " is " + status + "; cannot " + action);
    }
  }
}
