package io.flod.controlplane.tenant;

import io.flod.api.ApiKeyView;
import io.flod.api.Page;
import io.flod.api.TenantCreate;
import io.flod.api.TenantPatch;
import io.flod.api.TenantView;
import io.flod.controlplane.auth.ApiKeys;
import io.flod.controlplane.auth.Caller;
import io.flod.controlplane.db.Database;
import io.flod.controlplane.db.UniqueViolations;
import io.flod.controlplane.http.ApiException;
import io.flod.controlplane.http.Requests;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import org.hibernate.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tenants and their API keys. Each method is one transaction. A tenant's key sees only its own
 * tenant: anything else is "not found", never "forbidden", so keys cannot probe for names.
 */
public final class TenantService {
  private static final Logger log = LoggerFactory.getLogger(TenantService.class);
  private final Database db;
  private final Clock clock;

  public TenantService(Database db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  /** The result of a change: the resource and its new version (the ETag). */
  public record Versioned<T>(T value, long version) {}

  public Versioned<TenantView> create(Caller caller, TenantCreate request) {
    requireOperator(caller);
    return UniqueViolations.retryOnce(
        "tenant=" + request.name() + " create", () -> createOnce(request));
  }

  private Versioned<TenantView> createOnce(TenantCreate request) {
    return db.sessions()
        .fromTransaction(
            s -> {
              if (findByName(s, request.name()) != null) {
                throw new ApiException(
                    ApiException.Kind.CONFLICT, "Tenant '" + request.name() + "' already exists.");
              }
              Tenant tenant = new Tenant(request.name(), request.displayName(), clock.instant());
              s.persist(tenant);
              s.flush();
              log.info("tenant={} id={} created", tenant.name(), tenant.id());
              return new Versioned<>(view(tenant), tenant.version());
            });
  }

  public Page<TenantView> list(Caller caller, int pageSize, String after) {
    int size = Math.max(1, Math.min(pageSize, 100));
    List<Tenant> found =
        db.sessions()
            .fromSession(
                s -> {
                  var query =
                      s.createSelectionQuery(
                              "from Tenant where name > :after"
                                  + (caller.isOperator() ? "" : " and id = :self")
                                  + " order by name",
                              Tenant.class)
                          .setParameter("after", after == null ? "" : after)
                          .setMaxResults(size + 1);
                  if (!caller.isOperator()) {
                    query.setParameter("self", caller.tenantId());
                  }
                  return query.getResultList();
                });
    boolean more = found.size() > size;
    List<TenantView> items = found.stream().limit(size).map(TenantService::view).toList();
    String next =
        more
            ? "/v1/tenants?pageSize=" + size + "&pageToken=" + items.get(items.size() - 1).name()
            : null;
    return new Page<>(items, next);
  }

  public Versioned<TenantView> get(Caller caller, String name) {
    return db.sessions()
        .fromSession(
            s -> {
              Tenant tenant = visible(s, caller, name);
              return new Versioned<>(view(tenant), tenant.version());
            });
  }

  public Versioned<TenantView> patch(
      Caller caller, String name, String ifMatch, TenantPatch patch) {
    requireOperator(caller);
    return db.sessions()
        .fromTransaction(
            s -> {
              Tenant tenant = visible(s, caller, name);
              Requests.checkIfMatch(ifMatch, tenant.version());
              if (patch.displayName() != null) {
                tenant.rename(patch.displayName());
              }
              s.flush();
              return new Versioned<>(view(tenant), tenant.version());
            });
  }

  public void delete(Caller caller, String name, String ifMatch) {
    requireOperator(caller);
    db.sessions()
        .inTransaction(
            s -> {
              Tenant tenant = visible(s, caller, name);
              Requests.checkIfMatch(ifMatch, tenant.version());
              long clusters =
                  s.createSelectionQuery(
                          "select count(*) from Cluster where tenantId = :t", Long.class)
                      .setParameter("t", tenant.id())
                      .getSingleResult();
              if (clusters > 0) {
                throw new ApiException(
                    ApiException.Kind.CONFLICT,
                    "Tenant '"
                        + name
                        + "' still has "
                        + clusters
                        + " clusters; delete them first.");
              }
              s.remove(tenant);
              log.info("tenant={} id={} deleted", tenant.name(), tenant.id());
            });
  }

  public ApiKeyView createKey(Caller caller, String tenantName) {
    return db.sessions()
        .fromTransaction(
            s -> {
              Tenant tenant = visible(s, caller, tenantName);
              String secret = ApiKeys.newSecret();
              ApiKey key =
                  new ApiKey(
                      tenant.id(), ApiKeys.hash(secret), ApiKeys.prefix(secret), clock.instant());
              s.persist(key);
              log.info("tenant={} api key {} created", tenant.name(), key.id());
              return new ApiKeyView(
                  key.id().toString(), key.prefix(), key.createdAt().toString(), null, secret);
            });
  }

  public List<ApiKeyView> listKeys(Caller caller, String tenantName) {
    return db.sessions()
        .fromSession(
            s -> {
              Tenant tenant = visible(s, caller, tenantName);
              return s
                  .createSelectionQuery(
                      "from ApiKey where tenantId = :t order by createdAt", ApiKey.class)
                  .setParameter("t", tenant.id())
                  .getResultList()
                  .stream()
                  .map(TenantService::view)
                  .toList();
            });
  }

  public void revokeKey(Caller caller, String tenantName, String keyId) {
    db.sessions()
        .inTransaction(
            s -> {
              Tenant tenant = visible(s, caller, tenantName);
              ApiKey key = s.find(ApiKey.class, parseId(keyId));
              if (key == null || !key.tenantId().equals(tenant.id())) {
                throw ApiException.notFound("API key " + keyId);
              }
              key.revoke(clock.instant());
              log.info("tenant={} api key {} revoked", tenant.name(), key.id());
            });
  }

  private static UUID parseId(String id) {
    try {
      return UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      throw ApiException.notFound("API key " + id);
    }
  }

  /**
   * The tenant named {@code name} if {@code caller} may see it; otherwise 404, never 403, so a
   * tenant's key cannot probe for other tenants' names. Shared by every service under a tenant.
   */
  public static Tenant visible(Session s, Caller caller, String name) {
    Tenant tenant = findByName(s, name);
    if (tenant == null || !caller.mayAccess(tenant.id())) {
      throw ApiException.notFound("Tenant '" + name + "'");
    }
    return tenant;
  }

  private static Tenant findByName(Session s, String name) {
    return s.createSelectionQuery("from Tenant where name = :name", Tenant.class)
        .setParameter("name", name)
        .uniqueResult();
  }

  private static void requireOperator(Caller caller) {
    if (!caller.isOperator()) {
      throw new ApiException(ApiException.Kind.FORBIDDEN, "Only the operator key manages tenants.");
    }
  }

  private static TenantView view(Tenant t) {
    return new TenantView(
        t.id().toString(),
        t.name(),
        t.displayName(),
        t.createdAt().toString(),
        Requests.etag(t.version()));
  }

  private static ApiKeyView view(ApiKey k) {
    return new ApiKeyView(
        k.id().toString(),
        k.prefix(),
        k.createdAt().toString(),
        k.revokedAt() == null ? null : k.revokedAt().toString(),
        null);
  }
}
