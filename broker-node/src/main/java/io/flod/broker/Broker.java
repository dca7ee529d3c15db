package io.flod.broker;

import io.flod.broker.api.ApiHandler;
import io.flod.broker.api.ApiRegistry;
import io.flod.broker.api.ApiVersionsHandler;
import io.flod.broker.api.CreatePartitionsHandler;
import io.flod.broker.api.CreateTopicsHandler;
import io.flod.broker.api.DeleteGroupsHandler;
import io.flod.broker.api.DeleteTopicsHandler;
import io.flod.broker.api.DescribeClusterHandler;
import io.flod.broker.api.DescribeConfigsHandler;
import io.flod.broker.api.DescribeGroupsHandler;
import io.flod.broker.api.FetchHandler;
import io.flod.broker.api.FindCoordinatorHandler;
import io.flod.broker.api.HeartbeatHandler;
import io.flod.broker.api.IncrementalAlterConfigsHandler;
import io.flod.broker.api.InitProducerIdHandler;
import io.flod.broker.api.JoinGroupHandler;
import io.flod.broker.api.LeaveGroupHandler;
import io.flod.broker.api.ListGroupsHandler;
import io.flod.broker.api.ListOffsetsHandler;
import io.flod.broker.api.MetadataHandler;
import io.flod.broker.api.OffsetCommitHandler;
import io.flod.broker.api.OffsetDeleteHandler;
import io.flod.broker.api.OffsetFetchHandler;
import io.flod.broker.api.OffsetForLeaderEpochHandler;
import io.flod.broker.api.ProduceHandler;
import io.flod.broker.api.RequestContext;
import io.flod.broker.api.SyncGroupHandler;
import io.flod.broker.auth.AccessControl;
import io.flod.broker.auth.SasAuthenticator;
import io.flod.broker.auth.SasRuleBook;
import io.flod.broker.cluster.ClusterMembership;
import io.flod.broker.cluster.ClusterView;
import io.flod.broker.cluster.StandaloneClusterView;
import io.flod.broker.cluster.ThrottlingReporter;
import io.flod.broker.cluster.ZkClusterSettings;
import io.flod.broker.cluster.ZkSasRules;
import io.flod.broker.cluster.ZkSessionFile;
import io.flod.broker.cluster.ZkThrottling;
import io.flod.broker.config.BrokerConfig;
import io.flod.broker.config.TopicConfigs;
import io.flod.broker.fetch.DelayedFetches;
import io.flod.broker.group.GroupConfig;
import io.flod.broker.group.GroupCoordinator;
import io.flod.broker.group.OffsetsTopic;
import io.flod.broker.https.HttpsPublishServer;
import io.flod.broker.https.SelfProducerConfig;
import io.flod.broker.log.LogManager;
import io.flod.broker.metadata.LocalTopicRegistry;
import io.flod.broker.metadata.NodeIdentity;
import io.flod.broker.metadata.TopicMetadata;
import io.flod.broker.metadata.TopicRegistry;
import io.flod.broker.metrics.BrokerMetrics;
import io.flod.broker.network.KafkaServer;
import io.flod.broker.network.ListenerBinding;
import io.flod.broker.network.SaslGate;
import io.flod.broker.network.ServerTls;
import io.flod.broker.partition.PartitionManager;
import io.flod.broker.producer.LocalProducerIdAllocator;
import io.flod.broker.quota.ThrottleLog;
import io.flod.broker.quota.ThroughputQuota;
import io.flod.broker.replication.PeerSecurity;
import io.flod.broker.replication.ReplicaManager;
import io.flod.broker.replication.ReplicationThrottle;
import io.flod.broker.topic.TopicManager;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.AbstractRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A standalone broker: wires storage, topics, request handlers and the Kafka listener together, and
 * takes them down in the reverse order (stop accepting, drain handlers, close logs cleanly).
 */
public final class Broker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Broker.class);

  /**
   * Shutdown budget. The node agent sends SIGKILL 10 s after SIGTERM, and a broker must stop in
   * seconds even when ZooKeeper is gone: handing over leadership takes about a second with in-sync
   * followers (without ZooKeeper it is given up after 2 s); leaving the cluster takes at most 2 s
   * more; then the handlers and timers get a short drain (tasks blocked on ZooKeeper are
   * interrupted) before the logs close. Without ZooKeeper that is about 6 s in all.
   */
  private static final long HANDOVER_LIMIT_MS = 5_000;

  private static final long DRAIN_LIMIT_MS = 2_000;

  private final BrokerConfig config;
  private final ScheduledExecutorService scheduler;

  /**
   * Pollers of the cluster's settings in ZooKeeper (throughput units, SAS rules, throttling
   * reports): apart from {@link #scheduler}, whose timers complete waiting fetches and produce
   * acknowledgements and must not wait on an unreachable ZooKeeper.
   */
  private final ScheduledExecutorService zkPolls =
      Executors.newSingleThreadScheduledExecutor(named("flod-zk-poll"));

  private final ExecutorService handlerPool;
  private final LogManager logManager;
  private final KafkaServer server;
  private final BrokerMetrics metrics;
  private final InetSocketAddress boundAddress;
  private final InetSocketAddress advertisedAddress;
  private final String clusterId;
  private final ClusterMembership membership;
  private final ReplicaManager replicaManager;
  private final SasRuleBook sasRules = new SasRuleBook();
  private final ThrottleLog throttles;
  private final HttpsPublishServer https;
  private InetSocketAddress httpsAddress;
  private volatile int throughputUnits;

  private Broker(
      Path dataDir,
      InetSocketAddress listen,
      String advertisedHost,
      BrokerConfig config,
      ClusterMembership.Settings clusterSettings,
      MeterRegistry meterRegistry,
      Clock clock)
      throws Exception {
    this.config = config;
    int nodeId = config.getInt(BrokerConfig.NODE_ID);
    Path metaDir = dataDir.resolve("meta");
    NodeIdentity identity = NodeIdentity.loadOrCreate(metaDir, nodeId);
    this.clusterId = clusterSettings == null ? identity.clusterId() : clusterSettings.cluster();
    ScheduledThreadPoolExecutor timers =
        new ScheduledThreadPoolExecutor(2, named("flod-scheduler"));
    // Pending timers (session expiries, delayed segment deletes) are dropped at shutdown; a
    // restart finds leftover *.deleted files and removes them.
    timers.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    timers.setRemoveOnCancelPolicy(true);
    this.scheduler = timers;
    this.handlerPool =
        Executors.newFixedThreadPool(
            config.getInt(BrokerConfig.NUM_IO_THREADS), named("flod-request-handler"));
    this.metrics = new BrokerMetrics(meterRegistry);

    boolean standalone = clusterSettings == null;
    String zkUser = config.getString(BrokerConfig.ZOOKEEPER_SASL_USERNAME);
    if (!standalone && zkUser != null) {
      org.apache.kafka.common.config.types.Password zkPassword =
          config.getPassword(BrokerConfig.ZOOKEEPER_SASL_PASSWORD);
      if (zkPassword == null) {
        throw new IllegalArgumentException(
            BrokerConfig.ZOOKEEPER_SASL_USERNAME
                + " needs "
                + BrokerConfig.ZOOKEEPER_SASL_PASSWORD);
      }
      // Before the first ZooKeeper client: Helix's clients take the JVM's identity.
      io.flod.broker.cluster.ZkLogin.useIdentity(zkUser, zkPassword.value());
    }
    TopicConfigs topicConfigs = new TopicConfigs(config);
    this.membership =
        standalone
            ? null
            : new ClusterMembership(
                clusterSettings, nodeId, config.getInt(BrokerConfig.ZOOKEEPER_SESSION_TIMEOUT_MS));
    TopicRegistry topics = standalone ? new LocalTopicRegistry(metaDir) : membership.topics();
    this.throttles =
        new ThrottleLog(System::currentTimeMillis, id -> topics.byId(id).map(TopicMetadata::name));
    DelayedFetches delayedFetches = new DelayedFetches(scheduler);
    DelayedFetches replicaFetches = new DelayedFetches(scheduler);
    this.logManager = new LogManager(dataDir.resolve("logs"), clock, scheduler);
    PartitionManager partitions =
        new PartitionManager(
            logManager,
            topicConfigs,
            delayedFetches,
            replicaFetches,
            scheduler,
            nodeId,
            standalone);
    partitions.loadAll(topics.all());
    if (!standalone) {
      membership.topics().onChange(partitions::updateConfig);
    }
    logManager.startBackgroundTasks(
        config.getLong(BrokerConfig.LOG_RETENTION_CHECK_INTERVAL_MS),
        config.getLong(BrokerConfig.LOG_FLUSH_SCHEDULER_INTERVAL_MS),
        config.getLong(BrokerConfig.RECOVERY_POINT_CHECKPOINT_INTERVAL_MS),
        config.getLong(BrokerConfig.LOG_CLEANER_BACKOFF_MS),
        config.getInt(BrokerConfig.LOG_CLEANER_DEDUPE_BUFFER_SIZE));
    logManager.startProducerExpiration(
        config.getLong(BrokerConfig.PRODUCER_ID_EXPIRATION_MS),
        config.getLong(BrokerConfig.PRODUCER_ID_EXPIRATION_CHECK_INTERVAL_MS));
    StandaloneClusterView standaloneView =
        standalone ? new StandaloneClusterView(identity.clusterId(), nodeId) : null;
    ClusterView cluster = standalone ? standaloneView : membership.view();
    TopicManager topicManager =
        new TopicManager(
            topics,
            partitions,
            topicConfigs,
            standalone ? () -> 1 : () -> cluster.liveBrokers().size());
    this.replicaManager =
        standalone
            ? null
            : new ReplicaManager(
                nodeId,
                partitions,
                topics,
                membership.states(),
                membership.view(),
                logManager.incarnation(),
                membership::incarnationOf,
                scheduler,
                config.getLong(BrokerConfig.REPLICA_LAG_TIME_MAX_MS),
                config.getInt(BrokerConfig.REPLICA_FETCH_WAIT_MAX_MS),
                config.getInt(BrokerConfig.REPLICA_FETCH_MAX_BYTES),
                config.getInt(BrokerConfig.SOCKET_REQUEST_MAX_BYTES),
                new PeerSecurity(
                    config.getBoolean(BrokerConfig.SASL_ENABLED)
                        ? sasRules::brokerSecret
                        : () -> null,
                    config.getString(BrokerConfig.SSL_CERTIFICATE_LOCATION) == null
                        ? null
                        : PeerSecurity.trusting(
                            config.getString(BrokerConfig.SSL_CERTIFICATE_LOCATION))));
    GroupConfig groupConfig = GroupConfig.from(config);
    OffsetsTopic offsetsTopic =
        standalone
            ? OffsetsTopic.ensure(topicManager, partitions, groupConfig)
            : OffsetsTopic.replicated(
                topicManager, partitions, groupConfig, () -> cluster.liveBrokers().size());
    GroupCoordinator groups =
        new GroupCoordinator(
            groupConfig,
            offsetsTopic,
            tp ->
                topics
                    .byName(tp.topic())
                    .map(t -> tp.partition() >= 0 && tp.partition() < t.partitionCount())
                    .orElse(false),
            scheduler,
            clock);
    if (standalone) {
      groups.start();
    } else {
      // A group's coordinator is the leader of its offsets partition: load on leading, unload on
      // losing it (clients then get NOT_COORDINATOR and find the new one).
      groups.startOffsetExpiry();
      replicaManager.onLeadership(
          new ReplicaManager.LeadershipListener() {
            @Override
            public void leading(TopicPartition tp) {
              if (tp.topic().equals(OffsetsTopic.NAME)) {
                groups.loadPartition(tp.partition());
              }
            }

            @Override
            public void notLeading(TopicPartition tp) {
              if (tp.topic().equals(OffsetsTopic.NAME) && groups.isLoaded(tp.partition())) {
                groups.unloadPartition(tp.partition());
              }
            }
          });
    }

    ApiRegistry apis = new ApiRegistry();
    apis.register(ApiKeys.API_VERSIONS, 0, 4, new ApiVersionsHandler(apis))
        .register(
            ApiKeys.METADATA, 0, 13, new MetadataHandler(cluster, topics, topicManager, config))
        .register(ApiKeys.PRODUCE, 3, 13, new ProduceHandler(topics, partitions, metrics))
        .register(
            ApiKeys.FETCH,
            4,
            17,
            new FetchHandler(
                topics,
                partitions,
                delayedFetches,
                replicaFetches,
                handlerPool,
                metrics,
                config.getInt(BrokerConfig.FETCH_MAX_WAIT_CAP_MS),
                new ReplicationThrottle(
                    config.getLong(BrokerConfig.REPLICA_MOVE_THROTTLE_BYTES_PER_SEC)),
                ThroughputQuota.egress(
                    () -> throughputUnits,
                    standalone ? () -> 1 : () -> cluster.liveBrokers().size(),
                    System::nanoTime),
                throttles))
        .register(ApiKeys.LIST_OFFSETS, 1, 10, new ListOffsetsHandler(partitions))
        .register(ApiKeys.CREATE_TOPICS, 2, 7, new CreateTopicsHandler(topicManager, cluster))
        .register(ApiKeys.DELETE_TOPICS, 1, 6, new DeleteTopicsHandler(topicManager, topics))
        .register(ApiKeys.CREATE_PARTITIONS, 0, 3, new CreatePartitionsHandler(topicManager))
        .register(
            ApiKeys.DESCRIBE_CONFIGS,
            1,
            4,
            new DescribeConfigsHandler(topicManager, config, nodeId))
        .register(
            ApiKeys.INCREMENTAL_ALTER_CONFIGS,
            0,
            1,
            new IncrementalAlterConfigsHandler(topicManager))
        .register(
            ApiKeys.INIT_PRODUCER_ID,
            0,
            5,
            new InitProducerIdHandler(
                standalone ? new LocalProducerIdAllocator(metaDir) : membership.producerIds()))
        .register(ApiKeys.DESCRIBE_CLUSTER, 0, 2, new DescribeClusterHandler(cluster))
        .register(
            ApiKeys.OFFSET_FOR_LEADER_EPOCH, 3, 4, new OffsetForLeaderEpochHandler(partitions));
    registerGroupApis(apis, cluster, offsetsTopic, groups, groupConfig);

    this.throughputUnits = config.getInt(BrokerConfig.THROUGHPUT_UNITS);
    if (!standalone) {
      ZkClusterSettings settings = membership.settings();
      int configured = throughputUnits;
      zkPolls.scheduleWithFixedDelay(
          () -> refreshThroughputUnits(settings, configured), 0, 1, TimeUnit.SECONDS);
      ZkThrottling throttling = membership.throttling();
      zkPolls.scheduleWithFixedDelay(
          new ThrottlingReporter(nodeId, throttles, throttling), 2, 2, TimeUnit.SECONDS);
    }
    SaslGate sasl = null;
    SasAuthenticator authenticator = null;
    if (config.getBoolean(BrokerConfig.SASL_ENABLED)) {
      if (standalone) {
        throw new IllegalArgumentException(
            BrokerConfig.SASL_ENABLED + " needs cluster mode: the SAS rules live in ZooKeeper");
      }
      authenticator = new SasAuthenticator(sasRules, clock, meterRegistry);
      sasl =
          new SaslGate(authenticator, new AccessControl(authenticator, topics, groups::topicsOf));
      org.apache.kafka.common.config.types.Password rulesKey =
          config.getPassword(BrokerConfig.SAS_RULES_KEY);
      if (rulesKey == null) {
        throw new IllegalArgumentException(
            BrokerConfig.SASL_ENABLED
                + " needs "
                + BrokerConfig.SAS_RULES_KEY
                + ": the key the cluster's SAS rules are sealed with");
      }
      ZkSasRules published =
          membership.sasRules(io.flod.broker.cluster.RecordSeal.fromBase64(rulesKey.value()));
      refreshRules(published);
      zkPolls.scheduleWithFixedDelay(() -> refreshRules(published), 1, 1, TimeUnit.SECONDS);
      ApiHandler<AbstractRequest> connectionOnly = Broker::handledByTheConnection;
      // v0 is advertised because librdkafka takes it as the sign of SASL support; it then uses v1
      // and SaslAuthenticate as the Java clients do. A real v0 client (Kafka < 1.0) sends raw
      // tokens after the handshake, which this listener refuses by closing the connection.
      apis.register(ApiKeys.SASL_HANDSHAKE, 0, 1, connectionOnly)
          .register(ApiKeys.SASL_AUTHENTICATE, 0, 2, connectionOnly);
    }
    ThroughputQuota ingress =
        ThroughputQuota.ingress(
            () -> throughputUnits,
            standalone ? () -> 1 : () -> cluster.liveBrokers().size(),
            System::nanoTime);
    SslContext tls = ServerTls.fromConfig(config);
    this.server =
        new KafkaServer(
            apis,
            handlerPool,
            metrics,
            io.flod.broker.network.ConnectionLimits.fromConfig(config),
            sasl,
            tls,
            ingress,
            throttles);
    boolean portFallback = config.getBoolean(BrokerConfig.LISTEN_PORT_FALLBACK);
    this.boundAddress = ListenerBinding.bind("Kafka", listen, portFallback, server::start);
    String host = advertisedHost != null ? advertisedHost : boundAddress.getHostString();
    this.https =
        startHttps(listen, portFallback, tls, authenticator, topics, ingress, meterRegistry);
    this.advertisedAddress = InetSocketAddress.createUnresolved(host, boundAddress.getPort());
    if (standalone) {
      standaloneView.advertise(host, boundAddress.getPort());
    } else {
      membership.join(
          host,
          boundAddress.getPort(),
          logManager.incarnation(),
          replicaManager,
          dataDir.resolve("meta").resolve(ZkSessionFile.NAME));
    }
    log.info(
        "node={} cluster={} broker started on {} (advertised {}:{}), data in {}, previous shutdown {}",
        nodeId,
        clusterId,
        boundAddress,
        host,
        boundAddress.getPort(),
        dataDir,
        logManager.previousShutdownClean() ? "clean" : "unclean or first start");
  }

  /** The HTTPS publishing head, when {@code https.port} asks for one (it shares the quota). */
  private HttpsPublishServer startHttps(
      InetSocketAddress listen,
      boolean portFallback,
      SslContext tls,
      SasAuthenticator authenticator,
      TopicRegistry topics,
      ThroughputQuota ingress,
      MeterRegistry meterRegistry)
      throws InterruptedException {
    int port = config.getInt(BrokerConfig.HTTPS_PORT);
    if (port < 0) {
      return null;
    }
    int maxBody = config.getInt(BrokerConfig.HTTPS_MAX_MESSAGE_BYTES);
    String certificate = config.getString(BrokerConfig.SSL_CERTIFICATE_LOCATION);
    boolean sasl = authenticator != null;
    HttpsPublishServer https =
        new HttpsPublishServer(
            tls,
            maxBody,
            authenticator,
            topics,
            ingress,
            throttles,
            () ->
                SelfProducerConfig.of(
                    boundAddress, certificate, sasl ? sasRules.brokerSecret() : null, maxBody),
            meterRegistry);
    this.httpsAddress =
        ListenerBinding.bind(
            "HTTP",
            new InetSocketAddress(listen.getHostString(), port),
            portFallback,
            https::start);
    if (tls == null) {
      log.warn(
          "cluster={} HTTPS head on {} serves plain HTTP: no certificate is configured ({})",
          clusterId,
          httpsAddress,
          BrokerConfig.SSL_CERTIFICATE_LOCATION);
    } else {
      log.info("cluster={} HTTPS head on {}", clusterId, httpsAddress);
    }
    return https;
  }

  /** SASL requests change the connection's state, so its handler answers them itself. */
  private static CompletableFuture<ApiMessage> handledByTheConnection(
      RequestContext context, AbstractRequest request) {
    throw new IllegalStateException(context.apiKey() + " reached the dispatcher");
  }

  private void refreshThroughputUnits(ZkClusterSettings settings, int configured) {
    try {
      int units = settings.throughputUnits(configured);
      if (units != throughputUnits) {
        log.info("cluster={} throughput units {} -> {}", clusterId, throughputUnits, units);
        throughputUnits = units;
      }
    } catch (RuntimeException e) {
      log.warn("cluster={} cannot read the cluster's settings: {}", clusterId, e.toString());
    }
  }

  private void refreshRules(ZkSasRules published) {
    try {
      sasRules.replace(published.read());
    } catch (RuntimeException e) {
      log.warn(
          "cluster={} cannot read the SAS rules, keeping the last ones: {}",
          clusterId,
          e.toString());
    }
  }

  private static void registerGroupApis(
      ApiRegistry apis,
      ClusterView cluster,
      OffsetsTopic offsetsTopic,
      GroupCoordinator groups,
      GroupConfig groupConfig) {
    apis.register(ApiKeys.FIND_COORDINATOR, 0, 5, new FindCoordinatorHandler(cluster, offsetsTopic))
        .register(ApiKeys.JOIN_GROUP, 0, 9, new JoinGroupHandler(groups))
        .register(ApiKeys.SYNC_GROUP, 0, 5, new SyncGroupHandler(groups))
        .register(ApiKeys.HEARTBEAT, 0, 4, new HeartbeatHandler(groups))
        .register(ApiKeys.LEAVE_GROUP, 0, 5, new LeaveGroupHandler(groups))
        .register(ApiKeys.OFFSET_COMMIT, 2, 9, new OffsetCommitHandler(groups))
        .register(ApiKeys.OFFSET_FETCH, 1, 9, new OffsetFetchHandler(groups))
        .register(ApiKeys.LIST_GROUPS, 0, 5, new ListGroupsHandler(groups))
        .register(
            ApiKeys.DESCRIBE_GROUPS,
            0,
            5,
            new DescribeGroupsHandler(groups, groupConfig.maxGroupIdLength()))
        .register(ApiKeys.DELETE_GROUPS, 0, 2, new DeleteGroupsHandler(groups))
        .register(ApiKeys.OFFSET_DELETE, 0, 0, new OffsetDeleteHandler(groups));
  }

  /**
   * Starts a standalone broker.
   *
   * @param advertisedHost the host clients are told to connect to, or null for the listen host
   */
  public static Broker startStandalone(
      Path dataDir, InetSocketAddress listen, String advertisedHost, BrokerConfig config)
      throws InterruptedException {
    try {
      return new Broker(
          dataDir,
          listen,
          advertisedHost,
          config,
          null,
          new SimpleMeterRegistry(),
          Clock.systemUTC());
    } catch (InterruptedException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("broker failed to start", e);
    }
  }

  /** Starts a broker that joins the Helix cluster {@code settings} names. */
  public static Broker startClustered(
      Path dataDir,
      InetSocketAddress listen,
      String advertisedHost,
      BrokerConfig config,
      ClusterMembership.Settings settings)
      throws Exception {
    return new Broker(
        dataDir,
        listen,
        advertisedHost,
        config,
        settings,
        new SimpleMeterRegistry(),
        Clock.systemUTC());
  }

  public InetSocketAddress boundAddress() {
    return boundAddress;
  }

  /** host:port as clients should use it. */
  public String bootstrapServers() {
    return advertisedAddress.getHostString() + ":" + advertisedAddress.getPort();
  }

  /** The port the HTTPS head bound, or 0 when it is off. */
  public int httpsPort() {
    return httpsAddress == null ? 0 : httpsAddress.getPort();
  }

  /** The HTTPS head's URL (https, or http without a certificate), or null when it is off. */
  public String httpsUrl() {
    if (httpsAddress == null) {
      return null;
    }
    return (https.tls() ? "https://" : "http://")
        + advertisedAddress.getHostString()
        + ":"
        + httpsAddress.getPort();
  }

  public String clusterId() {
    return clusterId;
  }

  public BrokerMetrics metrics() {
    return metrics;
  }

  public BrokerConfig config() {
    return config;
  }

  /**
   * Stops the broker in bounded time, whatever ZooKeeper does: hands leadership over (when
   * ZooKeeper answers), stops serving, leaves the cluster (each ZooKeeper step bounded, see {@link
   * ClusterMembership#close}), drains the handlers and closes the logs. A step that fails is logged
   * and the next one runs: the listeners and the logs are closed whatever came before. The
   * clean-shutdown marker is written only when every log was flushed and closed.
   */
  @Override
  public void close() {
    long start = System.nanoTime();
    log.info("cluster={} broker shutting down", clusterId);
    if (membership != null) {
      step(
          "handing over leadership",
          () -> membership.handOverLeadership(replicaManager::leaderCount, HANDOVER_LIMIT_MS));
    }
    if (https != null) {
      step("closing the HTTPS head", https::close);
    }
    step("closing the Kafka listener", server::close);
    if (membership != null) {
      step("leaving the cluster", membership::close);
      step("stopping replication", replicaManager::close);
    }
    zkPolls.shutdownNow();
    drain();
    boolean clean = step("closing the logs", logManager::close);
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    if (clean) {
      log.info("cluster={} broker stopped cleanly in {} ms", clusterId, ms);
    } else {
      log.warn(
          "cluster={} broker stopped in {} ms; its logs were not closed cleanly and are recovered"
              + " at the next start",
          clusterId,
          ms);
    }
  }

  /** Runs one step of {@link #close}; a failure is logged and does not stop the next steps. */
  private boolean step(String what, Runnable action) {
    try {
      action.run();
      return true;
    } catch (RuntimeException e) {
      log.error("cluster={} shutdown: {} failed", clusterId, what, e);
      return false;
    }
  }

  /**
   * Lets running requests and timer tasks finish, for at most {@link #DRAIN_LIMIT_MS} in all, then
   * interrupts what is left: with ZooKeeper gone, tasks that read it block until interrupted.
   */
  private void drain() {
    handlerPool.shutdown();
    scheduler.shutdown();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN_LIMIT_MS);
    awaitOrInterrupt(handlerPool, "request handlers", deadline);
    awaitOrInterrupt(scheduler, "scheduler", deadline);
  }

  private static void awaitOrInterrupt(ExecutorService executor, String what, long deadline) {
    try {
      if (!executor.awaitTermination(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
        log.warn("{} did not stop within {} ms; interrupting them", what, DRAIN_LIMIT_MS);
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  private static ThreadFactory named(String prefix) {
    AtomicInteger counter = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + "-" + counter.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
