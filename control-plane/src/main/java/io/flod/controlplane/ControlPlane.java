package io.flod.controlplane;

import io.flod.controlplane.auth.AuthFilter;
import io.flod.controlplane.auth.OperatorKey;
import io.flod.controlplane.cluster.ClusterReconciler;
import io.flod.controlplane.cluster.ClusterService;
import io.flod.controlplane.cluster.ClustersResource;
import io.flod.controlplane.cluster.OperationsResource;
import io.flod.controlplane.cluster.ThrottlingResource;
import io.flod.controlplane.cluster.ThrottlingService;
import io.flod.controlplane.db.Database;
import io.flod.controlplane.db.OwnedPostgres;
import io.flod.controlplane.fleet.BrokerFleet;
import io.flod.controlplane.fleet.BrokerTls;
import io.flod.controlplane.fleet.HelixBrokerFleet;
import io.flod.controlplane.group.ConsumerGroupService;
import io.flod.controlplane.group.ConsumerGroupsResource;
import io.flod.controlplane.health.HealthResource;
import io.flod.controlplane.health.MetricsResource;
import io.flod.controlplane.http.BodyLimitFilter;
import io.flod.controlplane.http.JsonConfig;
import io.flod.controlplane.http.OpenApiResource;
import io.flod.controlplane.http.ProblemMapper;
import io.flod.controlplane.http.RequestMetrics;
import io.flod.controlplane.node.AgentService;
import io.flod.controlplane.node.AgentsResource;
import io.flod.controlplane.sas.AuthorizationRuleService;
import io.flod.controlplane.sas.ClusterAuthorizationRulesResource;
import io.flod.controlplane.sas.PublisherService;
import io.flod.controlplane.sas.PublishersResource;
import io.flod.controlplane.sas.RulePublisher;
import io.flod.controlplane.sas.SecretBox;
import io.flod.controlplane.sas.TopicAuthorizationRulesResource;
import io.flod.controlplane.tenant.TenantService;
import io.flod.controlplane.tenant.TenantsResource;
import io.flod.controlplane.topic.BrokerTopicPlacement;
import io.flod.controlplane.topic.PartitionLossService;
import io.flod.controlplane.topic.PartitionsResource;
import io.flod.controlplane.topic.TopicPlacement;
import io.flod.controlplane.topic.TopicService;
import io.flod.controlplane.topic.TopicsResource;
import io.flod.controlplane.zk.ClusterCoordination;
import io.flod.controlplane.zk.ZkIdentities;
import io.flod.provisioner.Provisioner;
import io.flod.provisioner.UnavailableProvisioner;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.jersey.grizzly2.httpserver.GrizzlyHttpServerFactory;
import org.glassfish.jersey.jackson.JacksonFeature;
import org.glassfish.jersey.server.ResourceConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane process: its database (a JDBC URL, or a PostgreSQL of its own under the data
 * directory), its ZooKeeper (given, or owned), the reconciler with its machine provider and broker
 * fleet, and the REST API on an embedded Grizzly server. Closing stops the server, the reconciler,
 * the provider and fleet (machines keep running), then the database and what it owns.
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
          PartitionsResource.class,
          ClusterAuthorizationRulesResource.class,
          TopicAuthorizationRulesResource.class,
          ConsumerGroupsResource.class,
          PublishersResource.class,
          ThrottlingResource.class,
          AgentsResource.class);

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
  private final BrokerFleet fleet;
  private final Provisioner provisioner;

  private ControlPlane(
      OwnedPostgres ownedPostgres,
      Database db,
      ClusterCoordination zookeeper,
      HttpServer server,
      URI baseUri,
      OperatorKey operatorKey,
      ClusterReconciler reconciler,
      DatabaseSettings database,
      BrokerFleet fleet,
      Provisioner provisioner) {
    this.fleet = fleet;
    this.provisioner = provisioner;
    this.reconciler = reconciler;
    this.database = database;
    this.ownedPostgres = ownedPostgres;
    this.db = db;
    this.zookeeper = zookeeper;
    this.server = server;
    this.baseUri = baseUri;
    this.operatorKey = operatorKey;
  }

  /** How to start a control plane; every setting has a default but the data directory. */
  public static final class Builder {
    private String host = "127.0.0.1";
    private int port;
    private Path dataDir;
    private DatabaseSettings database = new DatabaseSettings(null, null, null);
    private String zkConnect;
    private String operatorKey;
    private Function<String, Provisioner> provisioner = url -> new UnavailableProvisioner();
    private TopicPlacement topicPlacement;
    private Function<String, BrokerFleet> fleet;
    private BrokerTls brokerTls;
    private long reconcileIntervalMs = 1000;
    private Duration nodeGrace = Duration.ofSeconds(30);
    private long heartbeatIntervalMs = 2000;
    private String publicUrl;
    private String machineZkConnect;

    public Builder host(String host) {
      this.host = host;
      return this;
    }

    /** 0 (the default) picks a free port. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    public Builder dataDir(Path dataDir) {
      this.dataDir = dataDir;
      return this;
    }

    /** A JDBC URL with credentials; with none (the default) it owns a PostgreSQL. */
    public Builder database(DatabaseSettings database) {
      this.database = database;
      return this;
    }

    /** An external ZooKeeper; with none (the default) it owns one. */
    public Builder zkConnect(String zkConnect) {
      this.zkConnect = zkConnect;
      return this;
    }

    /** The operator key; with none it is generated once and kept in the data directory. */
    public Builder operatorKey(String operatorKey) {
      this.operatorKey = operatorKey;
      return this;
    }

    /** Makes the machine provider, given the URL its agents reach this control plane at. */
    public Builder provisioner(Function<String, Provisioner> provisioner) {
      this.provisioner = provisioner;
      return this;
    }

    public Builder provisioner(Provisioner provisioner) {
      return provisioner(url -> provisioner);
    }

    /** Where topic changes go; by default to the brokers, through the reconciler. */
    public Builder topicPlacement(TopicPlacement topicPlacement) {
      this.topicPlacement = topicPlacement;
      return this;
    }

    /** Makes the broker fleet, given the ZooKeeper address; Helix by default. */
    public Builder fleet(Function<String, BrokerFleet> fleet) {
      this.fleet = fleet;
      return this;
    }

    /** The certificate the brokers serve with (TLS on both heads); none: listeners in clear. */
    public Builder brokerTls(BrokerTls brokerTls) {
      this.brokerTls = brokerTls;
      return this;
    }

    public Builder reconcileIntervalMs(long reconcileIntervalMs) {
      this.reconcileIntervalMs = reconcileIntervalMs;
      return this;
    }

    /** How long a machine's agent may be silent before the machine is replaced. */
    public Builder nodeGrace(Duration nodeGrace) {
      this.nodeGrace = nodeGrace;
      return this;
    }

    public Builder heartbeatIntervalMs(long heartbeatIntervalMs) {
      this.heartbeatIntervalMs = heartbeatIntervalMs;
      return this;
    }

    /** The URL agents use to reach this control plane (default: the address it listens on). */
    public Builder publicUrl(String publicUrl) {
      this.publicUrl = publicUrl;
      return this;
    }

    /**
     * The ZooKeeper address brokers are given (default: the one the control plane uses), for when
     * machines reach it through a load balancer or proxy.
     */
    public Builder machineZkConnect(String machineZkConnect) {
      this.machineZkConnect = machineZkConnect;
      return this;
    }

    public ControlPlane start() {
      return ControlPlane.start(this);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  private static ControlPlane start(Builder b) {
    OwnedPostgres owned = b.database.jdbcUrl() == null ? OwnedPostgres.start(b.dataDir, 0) : null;
    Database db = null;
    ClusterCoordination zookeeper = null;
    BrokerFleet fleet = null;
    Provisioner provisioner = null;
    int port = b.port != 0 ? b.port : freePort(b.host);
    try {
      SecretBox secrets = SecretBox.load(b.dataDir, System.getenv("FLOD_SECRETS_KEY"));
      zookeeper = ClusterCoordination.start(b.zkConnect, b.dataDir, new ZkIdentities(secrets));
      db =
          owned == null
              ? Database.open(b.database.jdbcUrl(), b.database.user(), b.database.password())
              : Database.open(owned.jdbcUrl(), owned.user(), "");
      OperatorKey operatorKey = OperatorKey.load(b.dataDir, b.operatorKey);
      PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      fleet =
          b.fleet != null
              ? b.fleet.apply(zookeeper.connectString())
              : new HelixBrokerFleet(zookeeper.connectString(), b.brokerTls, zookeeper);
      String url = b.publicUrl != null ? b.publicUrl : "http://" + b.host + ":" + port;
      provisioner = b.provisioner.apply(url);
      ClusterReconciler reconciler =
          new ClusterReconciler(
              db,
              provisioner,
              fleet,
              b.nodeGrace,
              Clock.systemUTC(),
              metrics,
              new RulePublisher(secrets, fleet));
      ClusterService clusters =
          new ClusterService(db, provisioner, fleet, reconciler, Clock.systemUTC());
      TopicPlacement placement =
          b.topicPlacement != null ? b.topicPlacement : new BrokerTopicPlacement(reconciler);
      AuthorizationRuleService rules = new AuthorizationRuleService(db, Clock.systemUTC(), secrets);
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
              .register(new TopicsResource(new TopicService(db, placement, Clock.systemUTC())))
              .register(
                  new PartitionsResource(new PartitionLossService(db, fleet, Clock.systemUTC())))
              .register(new ClusterAuthorizationRulesResource(rules))
              .register(new TopicAuthorizationRulesResource(rules))
              .register(
                  new ConsumerGroupsResource(
                      new ConsumerGroupService(db, fleet, Clock.systemUTC())))
              .register(new PublishersResource(new PublisherService(db, Clock.systemUTC())))
              .register(new ThrottlingResource(new ThrottlingService(db, fleet)))
              .register(
                  new AgentsResource(
                      new AgentService(
                          db,
                          fleet,
                          Clock.systemUTC(),
                          b.heartbeatIntervalMs,
                          b.machineZkConnect,
                          secrets)));
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
              URI.create("http://" + b.host + ":" + port + "/"), api, false);
      server.start();
      URI bound = URI.create("http://" + b.host + ":" + server.getListener("grizzly").getPort());
      log.info(
          "control plane listening on {} (database {})",
          bound,
          owned == null ? b.database.jdbcUrl() : "owned");
      reconciler.start(b.reconcileIntervalMs);
      DatabaseSettings used =
          owned == null ? b.database : new DatabaseSettings(owned.jdbcUrl(), owned.user(), "");
      return new ControlPlane(
          owned, db, zookeeper, server, bound, operatorKey, reconciler, used, fleet, provisioner);
    } catch (IOException e) {
      closeQuietly(provisioner, fleet);
      close(db, owned, zookeeper);
      throw new UncheckedIOException("cannot start the HTTP server on " + b.host + ":" + port, e);
    } catch (RuntimeException e) {
      closeQuietly(provisioner, fleet);
      close(db, owned, zookeeper);
      throw e;
    }
  }

  private static void closeQuietly(Provisioner provisioner, BrokerFleet fleet) {
    if (provisioner != null) {
      provisioner.close();
    }
    if (fleet != null) {
      fleet.close();
    }
  }

  /**
   * A free port chosen before the server binds it, because the machine provider must know the URL
   * its agents will call before the API (which needs the provider) can be built.
   */
  private static int freePort(String host) {
    try (java.net.ServerSocket socket =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName(host))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on " + host, e);
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
    closeQuietly(provisioner, fleet);
    close(db, ownedPostgres, zookeeper);
  }

  /** Closes each that is there; one that fails is logged and the others still close. */
  private static void close(Database db, OwnedPostgres owned, ClusterCoordination zookeeper) {
    if (db != null) {
      quietly("closing the database pool", db::close);
    }
    if (owned != null) {
      quietly("stopping the owned PostgreSQL", owned::close);
    }
    if (zookeeper != null) {
      quietly("closing ZooKeeper", zookeeper::close);
    }
  }

  private static void quietly(String what, Runnable step) {
    try {
      step.run();
    } catch (RuntimeException e) {
      log.error("shutdown: {} failed", what, e);
    }
  }
}
