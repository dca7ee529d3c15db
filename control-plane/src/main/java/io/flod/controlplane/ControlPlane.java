package io.flod.controlplane;

import io.flod.controlplane.auth.AuthFilter;
import io.flod.controlplane.auth.OperatorKey;
import io.flod.controlplane.cluster.ClusterReconciler;
import io.flod.controlplane.cluster.ClusterService;
import io.flod.controlplane.cluster.ClustersResource;
import io.flod.controlplane.cluster.OperationsResource;
import io.flod.controlplane.db.Database;
import io.flod.controlplane.db.OwnedPostgres;
import io.flod.controlplane.group.ConsumerGroupService;
import io.flod.controlplane.group.ConsumerGroupsResource;
import io.flod.controlplane.health.HealthResource;
import io.flod.controlplane.health.MetricsResource;
import io.flod.controlplane.http.BodyLimitFilter;
import io.flod.controlplane.http.JsonConfig;
import io.flod.controlplane.http.OpenApiResource;
import io.flod.controlplane.http.ProblemMapper;
import io.flod.controlplane.http.RequestMetrics;
import io.flod.controlplane.sas.AuthorizationRuleService;
import io.flod.controlplane.sas.ClusterAuthorizationRulesResource;
import io.flod.controlplane.sas.SecretBox;
import io.flod.controlplane.sas.TopicAuthorizationRulesResource;
import io.flod.controlplane.tenant.TenantService;
import io.flod.controlplane.tenant.TenantsResource;
import io.flod.controlplane.topic.PendingTopicPlacement;
import io.flod.controlplane.topic.TopicPlacement;
import io.flod.controlplane.topic.TopicService;
import io.flod.controlplane.topic.TopicsResource;
import io.flod.controlplane.zk.ClusterCoordination;
import io.flod.provisioner.Provisioner;
import io.flod.provisioner.UnavailableProvisioner;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.jersey.grizzly2.httpserver.GrizzlyHttpServerFactory;
import org.glassfish.jersey.jackson.JacksonFeature;
import org.glassfish.jersey.server.ResourceConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane process: its database (a JDBC URL, or a PostgreSQL of its own under the data
 * directory), and the REST API on an embedded Grizzly server. Closing stops the server, then the
 * database, then the owned PostgreSQL.
 */
public final class ControlPlane implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ControlPlane.class);

  /**
   * Every JAX-RS resource the API serves. The OpenAPI test checks the document against exactly
   * these, and start-up refuses a registration that this list does not name.
   */
  public static final List<Class<?>> RESOURCES =
      List.of(
          HealthResource.class,
          MetricsResource.class,
          OpenApiResource.class,
          TenantsResource.class,
          ClustersResource.class,
          OperationsResource.class,
          TopicsResource.class,
          ClusterAuthorizationRulesResource.class,
          TopicAuthorizationRulesResource.class,
          ConsumerGroupsResource.class);

  /** Where the database is: a URL with credentials, or null to own one. */
  public record DatabaseSettings(String jdbcUrl, String user, String password) {}

  private final OwnedPostgres ownedPostgres;
  private final Database db;
  private final ClusterCoordination zookeeper;
  private final HttpServer server;
  private final URI baseUri;
  private final OperatorKey operatorKey;
  private final ClusterReconciler reconciler;
  private final DatabaseSettings database;

  private ControlPlane(
      OwnedPostgres ownedPostgres,
      Database db,
      ClusterCoordination zookeeper,
      HttpServer server,
      URI baseUri,
      OperatorKey operatorKey,
      ClusterReconciler reconciler,
      DatabaseSettings database) {
    this.reconciler = reconciler;
    this.database = database;
    this.ownedPostgres = ownedPostgres;
    this.db = db;
    this.zookeeper = zookeeper;
    this.server = server;
    this.baseUri = baseUri;
    this.operatorKey = operatorKey;
  }

  /** As {@code bin/flod control-plane} starts it; a null {@code zkConnect} owns a ZooKeeper. */
  public static ControlPlane start(
      String host,
      int port,
      Path dataDir,
      DatabaseSettings database,
      String zkConnect,
      String operatorKeyFromEnv) {
    return start(
        host,
        port,
        dataDir,
        database,
        zkConnect,
        operatorKeyFromEnv,
        new UnavailableProvisioner(),
        new PendingTopicPlacement(),
        1000);
  }

  /** Starts with a machine provider and a reconcile interval (tests use a fake and a short one). */
  public static ControlPlane start(
      String host,
      int port,
      Path dataDir,
      DatabaseSettings database,
      String operatorKeyFromEnv,
      Provisioner provisioner,
      TopicPlacement topicPlacement,
      long reconcileIntervalMs) {
    return start(
        host,
        port,
        dataDir,
        database,
        null,
        operatorKeyFromEnv,
        provisioner,
        topicPlacement,
        reconcileIntervalMs);
  }

  /** Starts with everything given; a null {@code zkConnect} starts an owned ZooKeeper. */
  public static ControlPlane start(
      String host,
      int port,
      Path dataDir,
      DatabaseSettings database,
      String zkConnect,
      String operatorKeyFromEnv,
      Provisioner provisioner,
      TopicPlacement topicPlacement,
      long reconcileIntervalMs) {
    OwnedPostgres owned = database.jdbcUrl() == null ? OwnedPostgres.start(dataDir, 0) : null;
    Database db = null;
    ClusterCoordination zookeeper = null;
    try {
      zookeeper = ClusterCoordination.start(zkConnect, dataDir);
      db =
          owned == null
              ? Database.open(database.jdbcUrl(), database.user(), database.password())
              : Database.open(owned.jdbcUrl(), owned.user(), "");
      OperatorKey operatorKey = OperatorKey.load(dataDir, operatorKeyFromEnv);
      PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      ClusterReconciler reconciler =
          new ClusterReconciler(db, provisioner, Clock.systemUTC(), metrics);
      ClusterService clusters = new ClusterService(db, provisioner, reconciler, Clock.systemUTC());
      AuthorizationRuleService rules =
          new AuthorizationRuleService(
              db, Clock.systemUTC(), SecretBox.load(dataDir, System.getenv("FLOD_SECRETS_KEY")));
      ResourceConfig api =
          new ResourceConfig()
              .register(JacksonFeature.withoutExceptionMappers())
              .register(JsonConfig.class)
              .register(new ProblemMapper())
              .register(new BodyLimitFilter())
              .register(new AuthFilter(operatorKey, db))
              .register(new RequestMetrics(metrics))
              .register(new HealthResource(db, zookeeper))
              .register(new MetricsResource(metrics))
              .register(new OpenApiResource())
              .register(new TenantsResource(new TenantService(db, Clock.systemUTC())))
              .register(new ClustersResource(clusters))
              .register(new OperationsResource(clusters))
              .register(new TopicsResource(new TopicService(db, topicPlacement, Clock.systemUTC())))
              .register(new ClusterAuthorizationRulesResource(rules))
              .register(new TopicAuthorizationRulesResource(rules))
              .register(
                  new ConsumerGroupsResource(new ConsumerGroupService(db, Clock.systemUTC())));
      Set<Class<?>> served = new HashSet<>();
      api.getInstances().stream()
          .filter(o -> o.getClass().isAnnotationPresent(jakarta.ws.rs.Path.class))
          .forEach(o -> served.add(o.getClass()));
      if (!served.equals(Set.copyOf(RESOURCES))) {
        throw new IllegalStateException(
            "ControlPlane.RESOURCES must list every resource: " + served);
      }
      HttpServer server =
          GrizzlyHttpServerFactory.createHttpServer(
              URI.create("http://" + host + ":" + port + "/"), api, false);
      server.start();
      URI bound = URI.create("http://" + host + ":" + server.getListener("grizzly").getPort());
      log.info(
          "control plane listening on {} (database {})",
          bound,
          owned == null ? database.jdbcUrl() : "owned");
      reconciler.start(reconcileIntervalMs);
      DatabaseSettings used =
          owned == null ? database : new DatabaseSettings(owned.jdbcUrl(), owned.user(), "");
      return new ControlPlane(owned, db, zookeeper, server, bound, operatorKey, reconciler, used);
    } catch (IOException e) {
      close(db, owned, zookeeper);
      throw new UncheckedIOException("cannot start the HTTP server on " + host + ":" + port, e);
    } catch (RuntimeException e) {
      close(db, owned, zookeeper);
      throw e;
    }
  }

  public URI baseUri() {
    return baseUri;
  }

  /** Where this instance's database is, so another instance can share it. */
  public DatabaseSettings database() {
    return database;
  }

  /** The ZooKeeper the clusters' Helix state lives in (owned or given). */
  public String zookeeperConnectString() {
    return zookeeper.connectString();
  }

  public OperatorKey operatorKey() {
    return operatorKey;
  }

  @Override
  public void close() {
    server.shutdownNow();
    reconciler.close();
    close(db, ownedPostgres, zookeeper);
  }

  private static void close(Database db, OwnedPostgres owned, ClusterCoordination zookeeper) {
    if (db != null) {
      db.close();
    }
    if (owned != null) {
      owned.close();
    }
    if (zookeeper != null) {
      zookeeper.close();
    }
  }
}
