package io.flod.controlplane.auth;

import io.flod.controlplane.db.Database;
import io.flod.controlplane.http.ApiException;
import io.flod.controlplane.tenant.ApiKey;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.ext.Provider;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Set;

/**
 * Authenticates every request but the health probes, the metrics scrape and the node agents' calls
 * by {@code Authorization: Bearer <api key>}: the operator key, or a tenant key that is not
 * revoked. The caller is attached to the request for the resources; who may touch what is decided
 * there.
 */
@Provider
@Priority(Priorities.AUTHENTICATION)
public final class AuthFilter implements ContainerRequestFilter {
  private static final Set<String> OPEN_PATHS =
      Set.of("healthz", "readyz", "metrics", "v1/openapi.json");
  private final byte[] operatorKeyHash;
  private final Database db;

  public AuthFilter(OperatorKey operatorKey, Database db) {
    this.operatorKeyHash = ApiKeys.hash(operatorKey.secret()).getBytes(StandardCharsets.US_ASCII);
    this.db = db;
  }

  @Override
  public void filter(ContainerRequestContext request) {
    String path = request.getUriInfo().getPath();
    if (OPEN_PATHS.contains(path) || path.startsWith("v1/agents/")) {
      return; // agents authenticate with their machine's bootstrap token, in AgentService
    }
    String header = request.getHeaderString("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw new ApiException(
          ApiException.Kind.UNAUTHORIZED, "Send 'Authorization: Bearer <api key>'.");
    }
    String hash = ApiKeys.hash(header.substring(7).trim());
    if (MessageDigest.isEqual(operatorKeyHash, hash.getBytes(StandardCharsets.US_ASCII))) {
      request.setProperty(Caller.PROPERTY, Caller.OPERATOR);
      return;
    }
    ApiKey key =
        db.sessions()
            .fromSession(
                s ->
                    s.createSelectionQuery(
                            "from ApiKey where keyHash = :hash and revokedAt is null", ApiKey.class)
                        .setParameter("hash", hash)
                        .uniqueResult());
    if (key == null) {
      throw new ApiException(ApiException.Kind.UNAUTHORIZED, "The API key is not valid.");
    }
    request.setProperty(Caller.PROPERTY, new Caller(key.tenantId()));
  }
}
