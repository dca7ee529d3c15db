package io.flod.controlplane.auth;

import java.util.UUID;

/** Who is calling: the operator, or one tenant (by id). */
public record Caller(UUID tenantId) {
  public static final Caller OPERATOR = new Caller(null);
  public static final String PROPERTY = "flod.caller";

  /** The caller the {@link AuthFilter} attached to this request. */
  public static Caller of(jakarta.ws.rs.container.ContainerRequestContext request) {
    return (Caller) request.getProperty(PROPERTY);
  }

  public boolean isOperator() {
    return tenantId == null;
  }

  /** Whether this caller may see the tenant's resources; others are told they do not exist. */
  public boolean mayAccess(UUID tenant) {
    return isOperator() || tenantId.equals(tenant);
  }
}
