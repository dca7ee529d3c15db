package io.flod.broker.cluster;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.helix.HelixManager;
import org.apache.helix.HelixManagerFactory;
import org.apache.helix.InstanceType;
import org.apache.helix.api.listeners.InstanceConfigChangeListener;
import org.apache.helix.api.listeners.LiveInstanceChangeListener;
import org.apache.helix.controller.HelixControllerMain;
import org.apache.helix.manager.zk.ZKHelixAdmin;
import org.apache.helix.model.ClusterConfig;
import org.apache.helix.model.LeaderStandbySMD;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller of one Flod cluster: Helix's controller (which delivers state transitions and
 * keeps the external view) plus Flod's {@link LeaderElector} (which decides the mapping from the
 * in-sync replicas) and {@link ReplicaMover}. The control plane runs one per managed cluster;
 * {@code bin/flod cluster-init} runs one for a hand-made cluster; tests run it in-process. Several
 * may run for one cluster (every control-plane instance starts one): Helix elects one of them
 * leader through ZooKeeper, and only the leader runs Flod's passes; the others stand by and take
 * over when its session ends.
 */
public final class ClusterController implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ClusterController.class);
  private static final Duration DISCONNECT_LIMIT = Duration.ofSeconds(3);
  private static final long PASS_INTERVAL_MS = 2_000;
  private static final long PREFERRED_LEADER_INTERVAL_MS = 30_000;

  private final String cluster;
  private final HelixManager helixController;
  private final HelixManager watcher;
  private final LeaderElector elector;
  private final ReplicaMover mover;
  private final ScheduledExecutorService passes;
  private final AtomicBoolean passQueued = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean active;
  private volatile long lastPreferredPassMs = System.currentTimeMillis();

  private ClusterController(String zk, String cluster) throws Exception {
    this.cluster = cluster;
    this.helixController =
        HelixControllerMain.startHelixController(
            zk, cluster, instanceName("flod-controller"), "STANDALONE");
    this.watcher =
        HelixManagerFactory.getZKHelixManager(
            cluster, instanceName("flod-elector"), InstanceType.SPECTATOR, zk);
    watcher.connect();
    this.elector = new LeaderElector(cluster, watcher);
    this.mover = new ReplicaMover(cluster, watcher);
    this.passes =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "flod-leader-elector-" + cluster);
              thread.setDaemon(true);
              return thread;
            });
    watcher.addLiveInstanceChangeListener(
        (LiveInstanceChangeListener) (instances, context) -> requestPass());
    watcher.addInstanceConfigChangeListener(
        (InstanceConfigChangeListener) (configs, context) -> requestPass());
    passes.scheduleWithFixedDelay(this::periodicPass, 0, PASS_INTERVAL_MS, TimeUnit.MILLISECONDS);
  }

  /**
   * Creates the Helix cluster (if it does not exist) with the LeaderStandby state model and a
   * zone/update-domain topology, and starts controlling it.
   */
  public static ClusterController start(String zk, String cluster) {
    init(zk, cluster);
    try {
      ClusterController controller = new ClusterController(zk, cluster);
      log.info("cluster={} controller started on ZooKeeper {}", cluster, zk);
      return controller;
    } catch (Exception e) {
      throw new IllegalStateException("cannot start the controller of cluster " + cluster, e);
    }
  }

  private static final String TOPOLOGY = "/zone/updateDomain/instance";

  /** Creates the Helix cluster and its configuration; does nothing if it exists. */
  public static void init(String zk, String cluster) {
    try (HelixAdminConnection connection = HelixAdminConnection.open(zk)) {
      ZKHelixAdmin admin = connection.admin();
      if (admin.addCluster(cluster, false)) {
        log.info("cluster={} created in ZooKeeper {}", cluster, zk);
      }
      if (admin.getStateModelDef(cluster, ClusterPaths.STATE_MODEL) == null) {
        admin.addStateModelDef(cluster, ClusterPaths.STATE_MODEL, LeaderStandbySMD.build());
      }
      org.apache.helix.ConfigAccessor configs = connection.configs();
      ClusterConfig config = configs.getClusterConfig(cluster);
      // Written once, by whoever creates the cluster first: a starting broker that finds it set
      // leaves the cluster's configuration alone.
      if (!TOPOLOGY.equals(config.getTopology())
          || !"zone".equals(config.getFaultZoneType())
          || !config.isTopologyAwareEnabled()) {
        config.setTopology(TOPOLOGY);
        config.setFaultZoneType("zone");
        config.setTopologyAwareEnabled(true);
        configs.setClusterConfig(cluster, config);
      }
    }
  }

  /** Unique per controller, also for two in one JVM (two control planes in a test). */
  private static String instanceName(String prefix) {
    return prefix
        + "-"
        + ProcessHandle.current().pid()
        + "-"
        + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong() & 0xffffffL);
  }

  /** Whether this controller is the cluster's active one (Helix's controller leader). */
  public boolean isLeader() {
    return helixController.isConnected() && helixController.isLeader();
  }

  /** Asks for a pass soon; bursts of membership events collapse into one pass. */
  public void requestPass() {
    if (!closed.get() && passQueued.compareAndSet(false, true)) {
      try {
        passes.execute(
            () -> {
              passQueued.set(false);
              runPass(false);
            });
      } catch (java.util.concurrent.RejectedExecutionException stopping) {
        // A membership event raced close(): nothing left to decide.
      }
    }
  }

  private void periodicPass() {
    long now = System.currentTimeMillis();
    boolean prefer = now - lastPreferredPassMs >= PREFERRED_LEADER_INTERVAL_MS;
    if (prefer) {
      lastPreferredPassMs = now;
    }
    runPass(prefer);
  }

  private void runPass(boolean preferLeaders) {
    boolean leader = isLeader();
    if (leader != active) {
      active = leader;
      log.info(
          "cluster={} controller {} is now {}",
          cluster,
          helixController.getInstanceName(),
          leader ? "active" : "standby");
    }
    if (!leader) {
      return; // a standby: the leading controller (another control plane) runs the passes
    }
    try {
      mover.run();
    } catch (RuntimeException e) {
      log.warn("cluster={} replica move pass failed; the next one retries", cluster, e);
    }
    try {
      elector.run(preferLeaders);
    } catch (RuntimeException e) {
      log.warn("cluster={} leader election pass failed; the next one retries", cluster, e);
    }
  }

  /**
   * Starts draining a broker: its replicas move to other brokers (zone and update-domain rules kept
   * where the remaining brokers allow) and it leads nothing once they have. Stop it only when
   * {@link #isDrained} says so.
   */
  public void drain(int nodeId) {
    setDraining(nodeId, true);
    log.info("cluster={} node={} draining: its replicas move away", cluster, nodeId);
  }

  /** Cancels a drain: the broker may receive replicas again. */
  public void undrain(int nodeId) {
    setDraining(nodeId, false);
    log.info("cluster={} node={} no longer draining", cluster, nodeId);
  }

  private void setDraining(int nodeId, boolean draining) {
    String path =
        watcher
            .getHelixDataAccessor()
            .keyBuilder()
            .instanceConfig(ClusterPaths.instanceName(nodeId))
            .getPath();
    boolean updated =
        HelixRecords.updateExisting(
            watcher,
            path,
            record ->
                record.setSimpleField(ClusterPaths.DRAINING_FIELD, Boolean.toString(draining)));
    if (!updated) {
      throw new IllegalArgumentException("no broker " + nodeId + " in cluster " + cluster);
    }
    requestPass();
  }

  /** True once no partition keeps a replica on {@code nodeId} (moves completed). */
  public boolean isDrained(int nodeId) {
    for (PartitionState state : mover.allStates()) {
      if (state.replicas().contains(nodeId)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Brokers with a live session whose instance is enabled (their agent did not report them dead).
   */
  public java.util.Set<Integer> eligibleBrokers() {
    return BrokerRoster.read(watcher.getHelixDataAccessor()).eligible();
  }

  /** Brokers with a live ZooKeeper session. */
  public java.util.Set<Integer> liveBrokers() {
    return BrokerRoster.read(watcher.getHelixDataAccessor()).live();
  }

  /** Partition moves in progress, with bytes left to copy, for progress and time estimates. */
  public List<PartitionMove> moves() {
    return mover.status().inFlight();
  }

  /** Moves in progress and the ones the balancer would still start: settled when both are none. */
  public MoveStatus moveStatus() {
    return mover.status();
  }

  /** Where the control plane publishes run-time settings (throughput units) for its brokers. */
  public ZkClusterSettings settings() {
    return new ZkClusterSettings(watcher.getHelixPropertyStore());
  }

  /** The brokers' reports of what they throttled, for the control plane's throttling report. */
  public ZkThrottling throttling() {
    return new ZkThrottling(watcher.getHelixPropertyStore());
  }

  /** Where the control plane publishes the cluster's SAS rules for its brokers. */
  public ZkSasRules sasRules(RecordSeal seal) {
    return new ZkSasRules(watcher.getHelixPropertyStore(), seal, cluster);
  }

  /**
   * Brings an offline partition (every in-sync replica lost its data or is gone) back, accepting
   * the loss: a live replica leads at a new epoch with what it holds (nothing, if its disk was
   * replaced). Only on an operator's explicit request; {@code decidedBy} is logged.
   *
   * @return the partition's new state
   * @throws IllegalStateException the partition is not offline, or no replica is alive
   */
  public PartitionState acceptDataLoss(TopicPartition tp, String decidedBy) {
    PartitionStateStore store = new PartitionStateStore(watcher.getHelixPropertyStore());
    for (int attempt = 0; attempt < 5; attempt++) {
      PartitionState state =
          store.read(tp).orElseThrow(() -> new IllegalArgumentException("no partition " + tp));
      BrokerRoster roster = BrokerRoster.read(watcher.getHelixDataAccessor());
      PartitionState accepted =
          LeaderElector.acceptLoss(state, roster.eligible(), roster.incarnations());
      if (store.compareAndSet(accepted)) {
        log.warn(
            "cluster={} partition={} data loss accepted by {}: broker {} leads at epoch {} with"
                + " what its own log holds; what only the lost ISR {} held is gone",
            cluster,
            tp,
            decidedBy,
            accepted.leader(),
            accepted.leaderEpoch(),
            state.isr());
        requestPass();
        return accepted;
      }
    }
    throw new IllegalStateException(tp + " kept changing; try again");
  }

  /**
   * The partitions without a leader after the last election pass (every in-sync replica gone or
   * back without its data), with the reason, by topic and partition; read from memory.
   */
  public Map<TopicPartition, String> offlinePartitions() {
    return elector.offline();
  }

  /** Current replication state of every partition of the cluster. */
  public List<PartitionState> partitionStates() {
    return mover.allStates();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    passes.shutdownNow();
    try {
      passes.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // Helix waits 10 s for a ZooKeeper connection before it disconnects, and a ZooKeeper that is
    // gone may never come back: a control plane that stops does not wait for it.
    boolean clean =
        BoundedStep.runTogether(
            DISCONNECT_LIMIT,
            Map.of(
                "cluster=" + cluster + " elector disconnect",
                watcher::disconnect,
                "cluster=" + cluster + " Helix controller disconnect",
                helixController::disconnect));
    log.info(
        "cluster={} controller stopped{}",
        cluster,
        clean ? "" : " (without ZooKeeper: its session ends when it expires)");
  }
}
