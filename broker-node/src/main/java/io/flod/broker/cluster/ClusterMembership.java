package io.flod.broker.cluster;

import io.flod.broker.replication.ReplicaManager;
import io.flod.broker.replication.ReplicaStateModelFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.apache.helix.HelixAdmin;
import org.apache.helix.HelixManager;
import org.apache.helix.HelixManagerFactory;
import org.apache.helix.InstanceType;
import org.apache.helix.model.InstanceConfig;
import org.apache.helix.spectator.RoutingTableProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A broker's place in its Helix cluster: a spectator connection (the external view for Metadata,
 * the topic registry, partition states) from start, and a participant connection (replica state
 * transitions) once the broker listens and its {@code InstanceConfig} (host, port, zone, update
 * domain) is written. Leaving cleanly disables the instance first, so that every partition it leads
 * is handed to an in-sync follower before the broker stops.
 */
public final class ClusterMembership implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ClusterMembership.class);
  private static final Duration DISABLE_LIMIT = Duration.ofSeconds(2);
  private static final Duration DISCONNECT_LIMIT = Duration.ofSeconds(2);

  /** Where and how a broker joins: ZooKeeper, cluster name, and its fault and update domains. */
  public record Settings(String zkConnect, String cluster, String zone, String updateDomain) {}

  private final Settings settings;
  private final int nodeId;
  private final String instance;
  private final HelixManager spectator;
  private final RoutingTableProvider routing;
  private final PartitionStateStore states;
  private final HelixClusterView view;
  private final ZkTopicRegistry topics;
  private final ScheduledFuture<?> refresher;
  private final AtomicBoolean refreshQueued = new AtomicBoolean();
  private final ScheduledExecutorService scheduler;
  private HelixManager participant;

  public ClusterMembership(Settings settings, int nodeId, int sessionTimeoutMs) throws Exception {
    this.settings = settings;
    this.nodeId = nodeId;
    this.instance = ClusterPaths.instanceName(nodeId);
    // Refreshing reads ZooKeeper: on a thread of its own, so that a slow or unreachable ZooKeeper
    // never holds up the broker's shared scheduler (fetch and produce timeouts run there).
    this.scheduler =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, "flod-cluster-view-" + nodeId);
              thread.setDaemon(true);
              return thread;
            });
    // Helix reads its ZooKeeper session timeout from this property when it connects.
    System.setProperty("zk.session.timeout", Integer.toString(sessionTimeoutMs));
    ClusterController.init(settings.zkConnect(), settings.cluster());
    this.spectator =
        HelixManagerFactory.getZKHelixManager(
            settings.cluster(), instance + "_view", InstanceType.SPECTATOR, settings.zkConnect());
    spectator.connect();
    this.routing = new RoutingTableProvider(spectator);
    this.states = new PartitionStateStore(spectator.getHelixPropertyStore());
    this.view = new HelixClusterView(settings.cluster(), routing, states);
    this.topics = new ZkTopicRegistry(settings.cluster(), spectator, this::placeableNodes);
    topics.refresh();
    routing.addRoutingTableChangeListener((snapshot, context) -> requestRefresh(), null);
    this.refresher = scheduler.scheduleWithFixedDelay(this::refresh, 1, 1, TimeUnit.SECONDS);
  }

  public HelixClusterView view() {
    return view;
  }

  public ZkTopicRegistry topics() {
    return topics;
  }

  public PartitionStateStore states() {
    return states;
  }

  /** Settings the control plane changes at run time (throughput units). */
  public ZkClusterSettings settings() {
    return new ZkClusterSettings(spectator.getHelixPropertyStore());
  }

  /** Where this broker reports the partitions it throttled. */
  public ZkThrottling throttling() {
    return new ZkThrottling(spectator.getHelixPropertyStore());
  }

  /** The cluster's SAS rules as the control plane publishes them. */
  public ZkSasRules sasRules(RecordSeal seal) {
    return new ZkSasRules(spectator.getHelixPropertyStore(), seal, settings.cluster());
  }

  public ZkProducerIdAllocator producerIds() {
    return new ZkProducerIdAllocator(spectator.getHelixPropertyStore());
  }

  private void requestRefresh() {
    if (refreshQueued.compareAndSet(false, true)) {
      scheduler.execute(
          () -> {
            refreshQueued.set(false);
            refresh();
          });
    }
  }

  private void refresh() {
    try {
      view.invalidate();
      topics.refresh();
    } catch (RuntimeException e) {
      log.warn("node={} cannot refresh the cluster view: {}", nodeId, e.toString());
    }
  }

  /**
   * Live, enabled, not draining brokers with their zones and update domains, for placing new
   * replicas.
   */
  private List<ReplicaPlacer.Node> placeableNodes() {
    List<ReplicaPlacer.Node> nodes = new ArrayList<>();
    java.util.Set<String> live = new java.util.HashSet<>();
    routing.getLiveInstances().forEach(l -> live.add(l.getInstanceName()));
    for (InstanceConfig config : routing.getInstanceConfigs()) {
      int id = ClusterPaths.nodeId(config.getInstanceName());
      boolean draining =
          Boolean.parseBoolean(config.getRecord().getSimpleField(ClusterPaths.DRAINING_FIELD));
      if (id >= 0
          && live.contains(config.getInstanceName())
          && config.getInstanceEnabled()
          && !draining) {
        Map<String, String> domain = config.getDomainAsMap();
        nodes.add(new ReplicaPlacer.Node(id, domain.get("zone"), domain.get("updateDomain")));
      }
    }
    return nodes;
  }

  /**
   * Registers this broker's endpoint, domains and data-directory incarnation, and starts taking
   * replica transitions.
   */
  public void join(
      String host, int port, String incarnation, ReplicaManager replicas, Path sessionFile)
      throws Exception {
    HelixAdmin admin = spectator.getClusterManagmentTool();
    InstanceConfig config =
        admin.getInstancesInCluster(settings.cluster()).contains(instance)
            ? admin.getInstanceConfig(settings.cluster(), instance)
            : new InstanceConfig(instance);
    // Helix refuses to change an instance's HOST/PORT once set, and a restarted broker may listen
    // on another port: the endpoint lives in fields of Flod's own.
    config.getRecord().setSimpleField(ClusterPaths.HOST_FIELD, host);
    config.getRecord().setSimpleField(ClusterPaths.PORT_FIELD, Integer.toString(port));
    config.getRecord().setSimpleField(ClusterPaths.INCARNATION_FIELD, incarnation);
    String zone = settings.zone() == null ? "default" : settings.zone();
    String updateDomain = settings.updateDomain() == null ? instance : settings.updateDomain();
    config.setDomain("zone=" + zone + ",updateDomain=" + updateDomain + ",instance=" + instance);
    config.setZoneId(zone);
    config.setInstanceEnabled(true);
    if (admin.getInstancesInCluster(settings.cluster()).contains(instance)) {
      var accessor = spectator.getHelixDataAccessor();
      accessor.setProperty(accessor.keyBuilder().instanceConfig(instance), config);
      admin.enableInstance(settings.cluster(), instance, true);
    } else {
      admin.addInstance(settings.cluster(), config);
    }
    SessionRecordingParticipant joined =
        new SessionRecordingParticipant(
            settings.cluster(), instance, settings.zkConnect(), sessionFile);
    joined
        .getStateMachineEngine()
        .registerStateModelFactory(
            ClusterPaths.STATE_MODEL, new ReplicaStateModelFactory(replicas));
    joined.connect();
    joined.record();
    participant = joined;
    log.info(
        "cluster={} node={} joined as {} at {}:{} zone={} updateDomain={}",
        settings.cluster(),
        nodeId,
        instance,
        host,
        port,
        zone,
        updateDomain);
  }

  /**
   * The incarnation broker {@code nodeId} registered with, read from ZooKeeper now (not from a
   * cache); null if it registered none.
   */
  public String incarnationOf(int nodeId) {
    var accessor = spectator.getHelixDataAccessor();
    InstanceConfig config =
        accessor.getProperty(
            accessor.keyBuilder().instanceConfig(ClusterPaths.instanceName(nodeId)));
    return config == null
        ? null
        : config.getRecord().getSimpleField(ClusterPaths.INCARNATION_FIELD);
  }

  /**
   * Hands leadership away before leaving: disables this instance (the controller moves each
   * partition it leads to an in-sync follower) and waits, up to {@code timeoutMs}, until it leads
   * nothing, or no other broker is live and enabled to take over. Without ZooKeeper no controller
   * can move anything: the broker then leaves at once, as if it had crashed, after at most {@link
   * #DISABLE_LIMIT} trying to write the change.
   */
  public void handOverLeadership(LongSupplier leaderCount, long timeoutMs) {
    if (participant == null) {
      return;
    }
    if (!spectator.isConnected()
        || !BoundedStep.run(
            "node=" + nodeId + " disabling its instance",
            DISABLE_LIMIT,
            () ->
                spectator
                    .getClusterManagmentTool()
                    .enableInstance(settings.cluster(), instance, false))) {
      log.warn(
          "cluster={} node={} leaves without handing over leadership: its instance could not be"
              + " disabled (ZooKeeper unreachable?)",
          settings.cluster(),
          nodeId);
      return;
    }
    try {
      long deadline = System.currentTimeMillis() + timeoutMs;
      // When every broker stops at once (flod up stopped), no peer is left to take over.
      while (leaderCount.getAsLong() > 0
          && System.currentTimeMillis() < deadline
          && !placeableNodes().isEmpty()) {
        Thread.sleep(50); // polls a local count; the moves happen through Helix transitions
      }
      log.info(
          "cluster={} node={} handed over leadership ({} partitions still led)",
          settings.cluster(),
          nodeId,
          leaderCount.getAsLong());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Leaves the cluster. The disconnects may wait on ZooKeeper (Helix waits 10 s for a connection
   * first); both together get at most {@link #DISCONNECT_LIMIT}: a broker whose ZooKeeper is gone
   * still stops in seconds (its session then expires on the server, as after a crash).
   */
  @Override
  public void close() {
    refresher.cancel(false);
    scheduler.shutdownNow();
    view.close();
    Map<String, Runnable> disconnects = new LinkedHashMap<>();
    if (participant != null) {
      disconnects.put("node=" + nodeId + " participant disconnect", participant::disconnect);
    }
    disconnects.put(
        "node=" + nodeId + " spectator disconnect",
        () -> {
          routing.shutdown();
          spectator.disconnect();
        });
    BoundedStep.runTogether(DISCONNECT_LIMIT, disconnects);
  }
}
