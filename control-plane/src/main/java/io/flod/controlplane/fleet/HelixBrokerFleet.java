package io.flod.controlplane.fleet;

import io.flod.broker.auth.BrokerClientSecurity;
import io.flod.broker.auth.SasRuleBook;
import io.flod.broker.cluster.BoundedStep;
import io.flod.broker.cluster.ClusterController;
import io.flod.broker.cluster.ClusterPaths;
import io.flod.broker.cluster.HelixAdminConnection;
import io.flod.broker.cluster.MoveStatus;
import io.flod.broker.cluster.PartitionMove;
import io.flod.broker.cluster.PartitionState;
import io.flod.controlplane.zk.ClusterRoots;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.helix.manager.zk.ZKHelixAdmin;
import org.apache.helix.model.InstanceConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real fleet: one {@link ClusterController} per managed cluster running in this control plane
 * (Helix cluster {@code flod-<cluster id>}), Helix admin calls for membership, and a Kafka admin
 * client per cluster for topics.
 *
 * <p>Not yet: several control-plane instances each run a controller for every cluster (Helix elects
 * one leader among its controllers, but Flod's elector and mover run in each); their ZooKeeper
 * writes are compare-and-set, so they stay correct, only doubled.
 */
public final class HelixBrokerFleet implements BrokerFleet {
  private static final Logger log = LoggerFactory.getLogger(HelixBrokerFleet.class);

  /** A controller stops within about 8 s without ZooKeeper (its pass, then its disconnects). */
  private static final java.time.Duration CLOSE_LIMIT = java.time.Duration.ofSeconds(10);

  private final String zk;
  private final Map<UUID, ClusterController> controllers = new ConcurrentHashMap<>();
  private final Map<UUID, Admin> admins = new ConcurrentHashMap<>();
  private final Map<UUID, String> brokerSecrets = new ConcurrentHashMap<>();
  private final Map<UUID, Integer> throughputUnits = new ConcurrentHashMap<>();
  private final Map<UUID, String> adminBootstrap = new ConcurrentHashMap<>();

  /** Per cluster, the topic targets last aligned on the brokers (so a pass only checks changes). */
  private final Map<UUID, Map<String, TopicTarget>> appliedTopics = new ConcurrentHashMap<>();

  private final ClusterRoots roots;
  private final Map<UUID, ClusterRoots.Access> access = new ConcurrentHashMap<>();
  private final Map<UUID, HelixAdminConnection> helixAdmins = new ConcurrentHashMap<>();
  private final BrokerTls tls;

  private static final long REPLICA_STATE_TIMEOUT_S = 5;

  /** Reads replica states off the caller's thread, so that the caller's wait is bounded. */
  private final java.util.concurrent.ExecutorService stateReader =
      java.util.concurrent.Executors.newSingleThreadExecutor(
          r -> {
            Thread thread = new Thread(r, "flod-replica-state-reader");
            thread.setDaemon(true);
            return thread;
          });

  /** Every cluster at the top of {@code zk}'s tree (a ZooKeeper of tests). */
  public HelixBrokerFleet(String zk, BrokerTls tls) {
    this(zk, tls, ClusterRoots.top());
  }

  /**
   * {@code tls}: the brokers' certificate, or null when their listeners are in clear; {@code
   * roots}: where each cluster lives in {@code zk}.
   */
  public HelixBrokerFleet(String zk, BrokerTls tls, ClusterRoots roots) {
    this.zk = zk;
    this.tls = tls;
    this.roots = roots;
  }

  @Override
  public ClusterRoots.Access zkAccess(UUID clusterId) {
    return access.computeIfAbsent(clusterId, roots::access);
  }

  /** The ZooKeeper address with the cluster's root as chroot. */
  private String clusterZk(UUID clusterId) {
    return zk + zkAccess(clusterId).root();
  }

  private ZKHelixAdmin helix(UUID clusterId) {
    return helixAdmins
        .computeIfAbsent(clusterId, id -> HelixAdminConnection.open(clusterZk(id)))
        .admin();
  }

  @Override
  public Map<String, Long> lag(
      UUID clusterId, String bootstrapServers, String topic, java.util.Collection<String> groups) {
    Admin admin = admin(clusterId, bootstrapServers);
    Map<String, Long> lag = new java.util.HashMap<>();
    try {
      // One request for every group, so a slow broker costs one bounded wait, not one per group.
      Map<String, ListConsumerGroupOffsetsSpec> specs = new java.util.HashMap<>();
      groups.forEach(g -> specs.put(g, new ListConsumerGroupOffsetsSpec()));
      Map<String, Map<TopicPartition, Long>> committed = new java.util.HashMap<>();
      java.util.Set<TopicPartition> partitions = new java.util.HashSet<>();
      admin
          .listConsumerGroupOffsets(specs)
          .all()
          .get(5, TimeUnit.SECONDS)
          .forEach(
              (group, all) -> {
                Map<TopicPartition, Long> offsets = new java.util.HashMap<>();
                all.forEach(
                    (tp, offset) -> {
                      if (tp.topic().equals(topic) && offset != null) {
                        offsets.put(tp, offset.offset());
                      }
                    });
                if (!offsets.isEmpty()) {
                  committed.put(group, offsets);
                  partitions.addAll(offsets.keySet());
                }
              });
      if (partitions.isEmpty()) {
        return lag;
      }
      Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
      partitions.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
      var ends = admin.listOffsets(latest).all().get(5, TimeUnit.SECONDS);
      committed.forEach(
          (group, offsets) ->
              lag.put(
                  group,
                  offsets.entrySet().stream()
                      .mapToLong(e -> Math.max(0, ends.get(e.getKey()).offset() - e.getValue()))
                      .sum()));
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      log.debug("cluster={} topic={} lag not available: {}", clusterId, topic, e.toString());
    }
    return lag;
  }

  @Override
  public BrokerTls brokerTls() {
    return tls;
  }

  @Override
  public String zkConnect() {
    return zk;
  }

  @Override
  public String helixCluster(UUID clusterId) {
    return "flod-" + clusterId;
  }

  @Override
  public void open(UUID clusterId) {
    controller(clusterId);
  }

  /** The cluster's controller, started on first use by a change. */
  private ClusterController controller(UUID clusterId) {
    return controllers.computeIfAbsent(
        clusterId, id -> ClusterController.start(clusterZk(id), helixCluster(id)));
  }

  @Override
  public io.flod.broker.cluster.PartitionState acceptDataLoss(
      UUID clusterId, org.apache.kafka.common.TopicPartition partition, String decidedBy) {
    ClusterController controller = controllers.get(clusterId);
    if (controller == null) {
      throw new IllegalStateException("the cluster has no brokers");
    }
    return controller.acceptDataLoss(partition, decidedBy);
  }

  @Override
  public Set<Integer> liveBrokers(UUID clusterId) {
    ClusterController controller = controllers.get(clusterId);
    return controller == null ? Set.of() : controller.eligibleBrokers();
  }

  @Override
  public void drain(UUID clusterId, int brokerId) {
    try {
      controller(clusterId).drain(brokerId);
    } catch (IllegalArgumentException e) {
      // the broker never joined: it holds nothing to move
    }
  }

  @Override
  public boolean drained(UUID clusterId, int brokerId) {
    return controller(clusterId).isDrained(brokerId);
  }

  @Override
  public List<String> replicasOn(UUID clusterId, int brokerId) {
    ClusterController controller = controllers.get(clusterId);
    if (controller == null) {
      return List.of();
    }
    List<String> replicas = new ArrayList<>();
    for (PartitionState state : controller.partitionStates()) {
      if (state.replicas().contains(brokerId)) {
        replicas.add(state.topicPartition().toString());
      }
    }
    return replicas;
  }

  @Override
  public List<PartitionReplicas> partitionReplicas(UUID clusterId) {
    ClusterController controller = controllers.get(clusterId);
    if (controller == null) {
      throw new IllegalStateException("the cluster's controller does not run here");
    }
    // Helix retries a ZooKeeper read until the connection is back: the read runs on its own thread
    // so that an unreachable ZooKeeper costs the reconciler a bounded wait, not its thread.
    java.util.concurrent.Future<List<PartitionState>> read =
        stateReader.submit(controller::partitionStates);
    try {
      List<PartitionReplicas> out = new ArrayList<>();
      for (PartitionState state : read.get(REPLICA_STATE_TIMEOUT_S, TimeUnit.SECONDS)) {
        out.add(
            new PartitionReplicas(
                state.topicPartition().toString(), state.replicas(), state.isr()));
      }
      return out;
    } catch (java.util.concurrent.TimeoutException e) {
      read.cancel(true);
      throw new IllegalStateException(
          "ZooKeeper did not answer within " + REPLICA_STATE_TIMEOUT_S + " s");
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("ZooKeeper read failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading replica states", e);
    }
  }

  @Override
  public Map<String, String> offlinePartitions(UUID clusterId) {
    ClusterController controller = controllers.get(clusterId);
    if (controller == null) {
      return Map.of();
    }
    Map<String, String> out = new java.util.LinkedHashMap<>();
    controller.offlinePartitions().forEach((tp, reason) -> out.put(tp.toString(), reason));
    return out;
  }

  @Override
  public MoveProgress moves(UUID clusterId) {
    ClusterController controller = controllers.get(clusterId);
    if (controller == null) {
      return new MoveProgress(0, 0, 0);
    }
    MoveStatus status = controller.moveStatus();
    long bytes = 0;
    for (PartitionMove move : status.inFlight()) {
      for (long remaining : move.bytesRemaining().values()) {
        bytes += Math.max(0, remaining);
      }
    }
    return new MoveProgress(status.inFlight().size(), bytes, status.planned());
  }

  @Override
  public void forget(UUID clusterId, int brokerId) {
    String cluster = helixCluster(clusterId);
    String instance = ClusterPaths.instanceName(brokerId);
    ZKHelixAdmin helix = helix(clusterId);
    if (!helix.getInstancesInCluster(cluster).contains(instance)) {
      return;
    }
    ClusterController controller = controllers.get(clusterId);
    InstanceConfig config = helix.getInstanceConfig(cluster, instance);
    if (config != null && (controller == null || !controller.liveBrokers().contains(brokerId))) {
      helix.dropInstance(cluster, config);
      log.info("cluster={} node={} removed from the cluster's membership", clusterId, brokerId);
    }
  }

  @Override
  public void syncTopics(UUID clusterId, String bootstrapServers, List<TopicTarget> topics) {
    if (topics.isEmpty()) {
      return;
    }
    Admin admin = admin(clusterId, bootstrapServers);
    try {
      Set<String> existing = admin.listTopics().names().get(10, TimeUnit.SECONDS);
      List<NewTopic> missing = new ArrayList<>();
      List<String> present = new ArrayList<>();
      for (TopicTarget t : topics) {
        if (existing.contains(t.name())) {
          present.add(t.name());
        } else {
          missing.add(
              new NewTopic(t.name(), t.partitions(), (short) t.replicationFactor())
                  .configs(configs(t)));
        }
      }
      if (!missing.isEmpty()) {
        admin.createTopics(missing).all().get(15, TimeUnit.SECONDS);
        log.info(
            "cluster={} topics created on the brokers: {}",
            clusterId,
            missing.stream().map(NewTopic::name).toList());
      }
      if (!present.isEmpty()) {
        Map<String, TopicDescription> described =
            admin.describeTopics(present).allTopicNames().get(10, TimeUnit.SECONDS);
        Map<String, NewPartitions> grow = new HashMap<>();
        for (TopicTarget t : topics) {
          TopicDescription d = described.get(t.name());
          if (d != null && d.partitions().size() < t.partitions()) {
            grow.put(t.name(), NewPartitions.increaseTo(t.partitions()));
          }
        }
        if (!grow.isEmpty()) {
          admin.createPartitions(grow).all().get(15, TimeUnit.SECONDS);
          log.info("cluster={} partitions grown: {}", clusterId, grow.keySet());
        }
      }
      Map<String, TopicTarget> applied =
          appliedTopics.computeIfAbsent(clusterId, c -> new ConcurrentHashMap<>());
      missing.forEach(t -> applied.put(t.name(), byName(topics, t.name())));
      List<TopicTarget> changed =
          topics.stream()
              .filter(t -> present.contains(t.name()) && !t.equals(applied.get(t.name())))
              .toList();
      if (!changed.isEmpty()) {
        alignConfigs(clusterId, admin, changed);
        changed.forEach(t -> applied.put(t.name(), t));
      }
    } catch (Exception e) {
      throw new IllegalStateException("topic sync with the brokers failed: " + e.getMessage(), e);
    }
  }

  /** The topic configs the control plane owns, as the brokers name them. */
  private static Map<String, String> configs(TopicTarget t) {
    return Map.of(
        "retention.ms", Long.toString(t.retentionMs()),
        "min.insync.replicas", Integer.toString(t.minInsyncReplicas()),
        "cleanup.policy", t.cleanupPolicy(),
        "max.message.bytes", Integer.toString(t.maxMessageBytes()));
  }

  private static TopicTarget byName(List<TopicTarget> topics, String name) {
    return topics.stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
  }

  /**
   * Sets on the brokers the configs of topics whose target changed since this instance last aligned
   * them (a PATCH of retention, min.insync.replicas or max message size; or, after a restart, every
   * topic once): only the keys whose value differs are written.
   */
  private void alignConfigs(UUID clusterId, Admin admin, List<TopicTarget> changed)
      throws Exception {
    Map<ConfigResource, TopicTarget> byResource = new HashMap<>();
    changed.forEach(
        t -> byResource.put(new ConfigResource(ConfigResource.Type.TOPIC, t.name()), t));
    Map<ConfigResource, Config> current =
        admin.describeConfigs(byResource.keySet()).all().get(10, TimeUnit.SECONDS);
    Map<ConfigResource, java.util.Collection<AlterConfigOp>> updates = new HashMap<>();
    byResource.forEach(
        (resource, target) -> {
          Config now = current.get(resource);
          List<AlterConfigOp> ops = new ArrayList<>();
          configs(target)
              .forEach(
                  (key, value) -> {
                    ConfigEntry entry = now == null ? null : now.get(key);
                    if (entry == null || !value.equals(entry.value())) {
                      ops.add(
                          new AlterConfigOp(new ConfigEntry(key, value), AlterConfigOp.OpType.SET));
                    }
                  });
          if (!ops.isEmpty()) {
            updates.put(resource, ops);
          }
        });
    if (!updates.isEmpty()) {
      admin.incrementalAlterConfigs(updates).all().get(15, TimeUnit.SECONDS);
      log.info(
          "cluster={} topic configs aligned with their spec: {}",
          clusterId,
          updates.keySet().stream().map(ConfigResource::name).toList());
    }
  }

  @Override
  public void publishThroughputUnits(UUID clusterId, int units) {
    Integer before = throughputUnits.get(clusterId);
    if (before == null || before != units) {
      controller(clusterId).settings().publishThroughputUnits(units);
      throughputUnits.put(clusterId, units);
      log.info("cluster={} throughput units {} published", clusterId, units);
    }
  }

  @Override
  public java.util.Map<Integer, List<io.flod.broker.quota.ThrottleLog.Entry>> throttling(
      UUID clusterId) {
    ClusterController controller = controllers.get(clusterId);
    return controller == null ? java.util.Map.of() : controller.throttling().readAll();
  }

  @Override
  public void publishRules(UUID clusterId, SasRuleBook.Snapshot rules, String rulesKey) {
    controller(clusterId)
        .sasRules(io.flod.broker.cluster.RecordSeal.fromBase64(rulesKey))
        .publish(rules);
    if (rules.brokerSecret() != null
        && !rules.brokerSecret().equals(brokerSecrets.put(clusterId, rules.brokerSecret()))) {
      adminBootstrap.remove(clusterId); // the next admin() logs in with the secret
    }
    log.info("cluster={} SAS rules published ({} rules)", clusterId, rules.rules().size());
  }

  @Override
  public void deleteTopic(UUID clusterId, String bootstrapServers, String topic) {
    try {
      admin(clusterId, bootstrapServers)
          .deleteTopics(List.of(topic))
          .all()
          .get(15, TimeUnit.SECONDS);
      log.info("cluster={} topic={} deleted on the brokers", clusterId, topic);
    } catch (Exception e) {
      throw new IllegalStateException("could not delete topic " + topic + ": " + e.getMessage(), e);
    }
  }

  private Admin admin(UUID clusterId, String bootstrapServers) {
    if (!bootstrapServers.equals(adminBootstrap.get(clusterId))) {
      Admin old = admins.remove(clusterId);
      if (old != null) {
        old.close(java.time.Duration.ofSeconds(1));
      }
      Properties props = new Properties();
      props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
      props.put(AdminClientConfig.CLIENT_ID_CONFIG, "flod-control-plane-" + clusterId);
      props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
      props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
      props.putAll(
          BrokerClientSecurity.settings(
              tls == null ? null : tls.certificate().toString(), brokerSecrets.get(clusterId)));
      admins.put(clusterId, Admin.create(props));
      adminBootstrap.put(clusterId, bootstrapServers);
    }
    return admins.get(clusterId);
  }

  @Override
  public void remove(UUID clusterId) {
    appliedTopics.remove(clusterId);
    ClusterController controller = controllers.remove(clusterId);
    if (controller != null) {
      controller.close();
    }
    brokerSecrets.remove(clusterId);
    throughputUnits.remove(clusterId);
    Admin admin = admins.remove(clusterId);
    adminBootstrap.remove(clusterId);
    if (admin != null) {
      admin.close(java.time.Duration.ofSeconds(1));
    }
    String cluster = helixCluster(clusterId);
    ZKHelixAdmin helix = helix(clusterId);
    try {
      if (helix.getClusters().contains(cluster)) {
        helix.dropCluster(cluster);
        log.info("cluster={} removed from ZooKeeper", clusterId);
      }
    } finally {
      HelixAdminConnection connection = helixAdmins.remove(clusterId);
      if (connection != null) {
        connection.close();
      }
    }
    if (!zkAccess(clusterId).root().isEmpty()) {
      roots.drop(clusterId);
    }
    access.remove(clusterId);
  }

  /**
   * Stops every cluster's controller at once (each is bounded, also when ZooKeeper is gone), then
   * the admin clients: a control plane stops in seconds however many clusters it runs.
   */
  @Override
  public void close() {
    stateReader.shutdownNow();
    Map<String, Runnable> closes = new java.util.LinkedHashMap<>();
    controllers.forEach((id, c) -> closes.put("cluster=" + id + " controller close", c::close));
    BoundedStep.runTogether(CLOSE_LIMIT, closes);
    controllers.clear();
    admins.values().forEach(a -> a.close(java.time.Duration.ofSeconds(1)));
    admins.clear();
    // Helix admin clients retry while ZooKeeper is gone: each close is bounded.
    Map<String, Runnable> adminCloses = new java.util.LinkedHashMap<>();
    helixAdmins.forEach(
        (id, a) -> adminCloses.put("cluster=" + id + " Helix admin close", a::close));
    BoundedStep.runTogether(java.time.Duration.ofSeconds(2), adminCloses);
    helixAdmins.clear();
  }
}
