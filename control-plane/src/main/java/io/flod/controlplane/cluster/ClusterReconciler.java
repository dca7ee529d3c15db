package io.flod.controlplane.cluster;

import io.flod.controlplane.auth.ApiKeys;
import io.flod.controlplane.cluster.NodePlan.DesiredNode;
import io.flod.controlplane.db.Database;
import io.flod.controlplane.fleet.BrokerFleet;
import io.flod.controlplane.node.ClusterNode;
import io.flod.controlplane.sas.RulePublisher;
import io.flod.controlplane.topic.Topic;
import io.flod.provisioner.FencedOutException;
import io.flod.provisioner.Machine;
import io.flod.provisioner.NodeSpec;
import io.flod.provisioner.Provisioner;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.hibernate.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes each cluster what its spec says, level-triggered: a pass compares the stored spec with the
 * machines the provider reports and takes the next step (create the missing nodes, destroy the
 * extra ones, destroy everything of a deleted cluster), then records the observed state and the
 * operation's progress. Every step is idempotent, so a pass cut short by a crash is finished by the
 * next one, in this process or another.
 *
 * <p>One pass per cluster at a time, across control-plane instances sharing the database: a pass
 * runs in one transaction holding {@code pg_try_advisory_xact_lock} on the cluster's key, and skips
 * the cluster when another instance holds it. A lock lives only as long as its connection, so each
 * pass also takes a fencing token ({@link ReconcileFence}): a pass that lost its lock and kept
 * running stops at its next change once a newer pass has acted, and the provider refuses its calls
 * too ({@link FencedProvisioner}). Passes run on one thread per instance, every {@code intervalMs}
 * for all clusters and at once for a cluster a request just changed.
 *
 * <p>Machines are reached only through the {@link Provisioner}, brokers only through the {@link
 * BrokerFleet} (Helix, ZooKeeper, the Kafka protocol). Scale-in is safe by construction: a node is
 * destroyed only after the fleet reports no replica left on it and its broker stopped.
 */
public final class ClusterReconciler implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ClusterReconciler.class);
  private static final Duration REGISTRATION_TIMEOUT = Duration.ofMinutes(15);
  private final Database db;
  private final Provisioner provisioner;
  private final BrokerFleet fleet;
  private final RulePublisher rules;
  private final Duration nodeGrace;
  private final Clock clock;
  private final MeterRegistry metrics;
  private final ProvisioningBackoff backoff = new ProvisioningBackoff();
  private final io.micrometer.core.instrument.MultiGauge offlinePartitions;

  /** When this instance started: heartbeats older than that went to an instance that stopped. */
  private final Instant startedAt;

  private final ScheduledExecutorService loop =
      Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "flod-reconciler"));

  public ClusterReconciler(
      Database db,
      Provisioner provisioner,
      BrokerFleet fleet,
      Duration nodeGrace,
      Clock clock,
      MeterRegistry metrics,
      RulePublisher rules) {
    this.rules = rules;
    this.db = db;
    this.provisioner = provisioner;
    this.fleet = fleet;
    this.nodeGrace = nodeGrace;
    this.clock = clock;
    this.startedAt = clock.instant();
    this.metrics = metrics;
    for (OperationStatus status : OperationStatus.values()) {
      Gauge.builder("flod.operations", () -> countOperations(status))
          .description("Operations by status")
          .tag("status", status.apiName())
          .register(metrics);
    }
    this.offlinePartitions =
        io.micrometer.core.instrument.MultiGauge.builder("flod.partitions.offline")
            .description(
                "Partitions without a leader (every in-sync replica gone or back without its"
                    + " data), by cluster id")
            .register(metrics);
  }

  private double countOperations(OperationStatus status) {
    return db.sessions()
        .fromSession(
            s ->
                s.createSelectionQuery(
                        "select count(*) from Operation where status = :s", Long.class)
                    .setParameter("s", status)
                    .getSingleResult())
        .doubleValue();
  }

  public void start(long intervalMs) {
    loop.scheduleWithFixedDelay(this::reconcileAll, 0, intervalMs, TimeUnit.MILLISECONDS);
  }

  /** Asks for a pass over one cluster soon, without waiting for the next round. */
  public void trigger(UUID clusterId) {
    backoff.reset(clusterId);
    loop.execute(() -> reconcileQuietly(clusterId));
  }

  private void reconcileAll() {
    List<UUID> ids =
        db.sessions()
            .fromSession(
                s ->
                    s.createSelectionQuery("select c.id from Cluster c", UUID.class)
                        .getResultList());
    ids.forEach(this::reconcileQuietly);
    offlinePartitions.register(
        ids.stream()
            .map(
                id ->
                    io.micrometer.core.instrument.MultiGauge.Row.of(
                        io.micrometer.core.instrument.Tags.of("cluster", id.toString()),
                        fleet.offlinePartitions(id).size()))
            .toList(),
        true);
  }

  private void reconcileQuietly(UUID clusterId) {
    Timer.Sample sample = Timer.start(metrics);
    String result = "ok";
    try {
      reconcile(clusterId);
    } catch (FencedOutException e) {
      result = "fenced";
      log.warn(
          "cluster={} pass stopped, another pass took the cluster over: {}",
          clusterId,
          e.getMessage());
    } catch (RuntimeException e) {
      result = "failed";
      // The next pass starts from what is stored and observed, so nothing is lost by retrying.
      log.warn("cluster={} reconcile pass failed, will retry: {}", clusterId, e.toString());
    } finally {
      sample.stop(
          Timer.builder("flod.reconcile.passes")
              .description("Reconcile passes over one cluster, by result")
              .tag("result", result)
              .register(metrics));
    }
  }

  /** One pass over one cluster. */
  void reconcile(UUID clusterId) {
    db.sessions()
        .inTransaction(
            s -> {
              if (!lock(s, clusterId)) {
                return;
              }
              // The operation before the cluster: each read sees what was committed when it began,
              // so a change committed in between (a new spec and its operation) is either seen in
              // both or leaves this pass the older operation, whose superseding makes this pass's
              // update of it fail on its version. Read the other way round, a pass could find the
              // new operation with the old spec and call it done.
              Operation operation = currentOperation(s, clusterId);
              Cluster cluster = s.find(Cluster.class, clusterId);
              if (cluster == null) {
                return;
              }
              FencedProvisioner machines =
                  new FencedProvisioner(
                      provisioner, ReconcileFence.take(s, db, clusterId), cluster.tenantId());
              if (cluster.deleting()) {
                deleteStep(s, cluster, operation, machines);
              } else {
                new ConvergeStep(s, cluster, operation, machines).run();
              }
            });
  }

  static boolean lock(Session s, UUID clusterId) {
    long key = clusterId.getMostSignificantBits() ^ clusterId.getLeastSignificantBits();
    return Boolean.TRUE.equals(
        s.createNativeQuery("select pg_try_advisory_xact_lock(:key)", Boolean.class)
            .setParameter("key", key)
            .getSingleResult());
  }

  private static Operation currentOperation(Session s, UUID clusterId) {
    return s.createSelectionQuery(
            "from Operation where clusterId = :c and status = :s order by createdAt desc",
            Operation.class)
        .setParameter("c", clusterId)
        .setParameter("s", OperationStatus.IN_PROGRESS)
        .setMaxResults(1)
        .uniqueResult();
  }

  static List<ClusterNode> nodeRows(Session s, UUID clusterId) {
    return s.createSelectionQuery(
            "from ClusterNode where key.clusterId = :c order by brokerId", ClusterNode.class)
        .setParameter("c", clusterId)
        .getResultList();
  }

  private void deleteStep(
      Session s, Cluster cluster, Operation operation, FencedProvisioner provider) {
    String id = cluster.id().toString();
    List<Machine> machines = provider.describe();
    if (!machines.isEmpty()) {
      provider.destroy(machines.stream().map(Machine::nodeId).collect(Collectors.toSet()));
    }
    if (provider.describe().isEmpty()) {
      provider.checkFence();
      fleet.remove(cluster.id());
      rules.forget(cluster.id());
      nodeRows(s, cluster.id()).forEach(s::remove);
      s.remove(cluster);
      if (operation != null) {
        operation.succeed(clock.instant());
      }
      log.info("cluster={} tenant={} deleted: every machine is gone", id, cluster.tenantId());
    } else if (operation != null) {
      operation.progress(50, clock.instant());
    }
  }

  /**
   * One converging pass: machines for the desired nodes (a node row with a fresh bootstrap token
   * first, then the provider), dead machines replaced, extra nodes drained then decommissioned then
   * destroyed, topics synced to the brokers, and the observed state recorded.
   */
  private final class ConvergeStep {
    private final Session s;
    private final Cluster cluster;
    private final Operation operation;
    private final FencedProvisioner provider;
    private final String id;
    private final Instant now = clock.instant();

    ConvergeStep(Session s, Cluster cluster, Operation operation, FencedProvisioner provider) {
      this.s = s;
      this.cluster = cluster;
      this.operation = operation;
      this.provider = provider;
      this.id = cluster.id().toString();
    }

    void run() {
      Map<String, ClusterNode> rows = new TreeMap<>();
      nodeRows(s, cluster.id()).forEach(n -> rows.put(n.nodeName(), n));
      Map<String, Machine> machines = new TreeMap<>();
      provider.describe().forEach(m -> machines.put(m.nodeId(), m));
      if (!machines.isEmpty()) {
        openBrokers();
      }
      Set<Integer> live = fleet.liveBrokers(cluster.id());
      List<DesiredNode> desired = NodePlan.desired(cluster);

      replaceDead(desired, rows, machines, live);
      if (backoff.waiting(cluster.id(), now)) {
        return; // the provider failed moments ago; the state it left is recorded already
      }
      try {
        ensureMachines(desired, rows, machines);
        backoff.reset(cluster.id());
      } catch (FencedOutException e) {
        throw e; // not a provisioning failure: the newer pass carries the operation on
      } catch (RuntimeException e) {
        backoff.failed(cluster.id(), now);
        cluster.observed(ClusterState.FAILED);
        if (operation != null) {
          operation.fail("ProvisioningFailed", String.valueOf(e.getMessage()), now);
        }
        log.warn("cluster={} provisioning failed: {}", id, e.getMessage());
        return;
      }
      boolean extrasLeft = retireExtras(desired, rows, machines, live);
      syncTopics(rows, live);
      record(desired, rows, machines, live, extrasLeft);
    }

    /**
     * The cluster's controller runs and its brokers' settings are published: before its first
     * machine is made (so brokers find both when they join) and on every pass while it has any.
     * Clusters without machines cost no controller.
     */
    private void openBrokers() {
      fleet.open(cluster.id());
      try {
        fleet.publishThroughputUnits(cluster.id(), cluster.throughputUnits());
        rules.publish(s, cluster);
      } catch (RuntimeException e) {
        log.warn(
            "cluster={} cannot publish its SAS rules; the next pass retries: {}", id, e.toString());
      }
    }

    /**
     * Silent machines are healed as {@link HealingPlan} decides: a stopped one is left for {@link
     * #ensureMachines} to start again on its own disk; at most one hung one is destroyed (and made
     * anew by {@link #ensureMachines}), never one holding the last in-sync copy of a partition,
     * none while the replica states cannot be read or most of the cluster is silent. Why healing
     * waits is recorded in the cluster's status and logged once when it changes.
     */
    private void replaceDead(
        List<DesiredNode> desired,
        Map<String, ClusterNode> rows,
        Map<String, Machine> machines,
        Set<Integer> live) {
      List<HealingPlan.Node> nodes = new ArrayList<>();
      Duration halfGrace = nodeGrace.dividedBy(2);
      for (DesiredNode d : desired) {
        ClusterNode row = rows.get(d.name());
        Machine machine = machines.get(d.name());
        if (row == null) {
          continue; // never made: nothing to heal
        }
        if (machine == null || machine.state() == Machine.State.TERMINATING) {
          // Being made (again), maybe by a pass of a control plane that crashed since: a
          // replacement that is not live yet.
          nodes.add(
              new HealingPlan.Node(
                  d.name(), d.brokerId(), HealingPlan.MachineState.MISSING, false, false));
          continue;
        }
        boolean silent =
            row.registered()
                ? !row.heardFromWithin(nodeGrace, now)
                : !row.heardFromWithin(REGISTRATION_TIMEOUT, now);
        boolean quiet = silent || (row.registered() && !row.heardFromWithin(halfGrace, now));
        nodes.add(
            new HealingPlan.Node(
                d.name(),
                d.brokerId(),
                machine.state() == Machine.State.STOPPED
                    ? HealingPlan.MachineState.STOPPED
                    : HealingPlan.MachineState.RUNNING,
                silent,
                quiet,
                live.contains(row.brokerId())));
      }
      List<HealingPlan.Replicas> replicas = null;
      String unreadable = null;
      boolean anyHung =
          nodes.stream()
              .anyMatch(
                  n -> n.silent() && !n.live() && n.machine() == HealingPlan.MachineState.RUNNING);
      if (anyHung) {
        try {
          replicas =
              fleet.partitionReplicas(cluster.id()).stream()
                  .map(p -> new HealingPlan.Replicas(p.partition(), p.replicas(), p.isr()))
                  .toList();
        } catch (RuntimeException e) {
          unreadable = String.valueOf(e.getMessage());
        }
      }
      HealingPlan.Decision decision =
          HealingPlan.decide(nodes, replicas, unreadable, now.isBefore(startedAt.plus(nodeGrace)));
      reportWaiting(decision.waiting());
      for (String name : decision.restartInPlace()) {
        log.info(
            "cluster={} node={} silent and its machine stopped: starting it again on its disk",
            id,
            name);
      }
      String name = decision.replace();
      if (name != null) {
        ClusterNode row = rows.get(name);
        provider.checkFence();
        log.warn(
            "cluster={} node={} silent since {}, hung, and no partition's last in-sync copy is on"
                + " it: replacing its machine",
            id,
            name,
            row.lastHeartbeatAt() != null ? row.lastHeartbeatAt() : row.createdAt());
        provider.destroy(Set.of(name));
        machines.remove(name);
      }
    }

    /** Records why healing waits in the status; logs it once each time it changes. */
    private void reportWaiting(String reason) {
      String before = cluster.stateReason();
      if (java.util.Objects.equals(before, reason)) {
        return;
      }
      if (reason != null) {
        log.warn("cluster={} {}", id, reason);
      } else {
        log.info("cluster={} healing no longer waits (was: {})", id, before);
      }
      cluster.waiting(reason);
    }

    private void ensureMachines(
        List<DesiredNode> desired, Map<String, ClusterNode> rows, Map<String, Machine> machines) {
      List<NodeSpec> wanted = new ArrayList<>();
      for (DesiredNode d : desired) {
        ClusterNode row = rows.get(d.name());
        Machine machine = machines.get(d.name());
        if (machine != null && row == null) {
          // Made before a crash whose transaction (and the machine's token) was lost: it can never
          // register, so it goes and is made again.
          log.warn("cluster={} node={} machine has no record: replacing it", id, d.name());
          provider.destroy(Set.of(d.name()));
          machine = null;
        }
        if (machine == null) {
          String token = ApiKeys.newSecret();
          if (row != null) {
            s.remove(row);
            s.flush();
          }
          ClusterNode fresh =
              new ClusterNode(
                  cluster.id(),
                  d.name(),
                  d.brokerId(),
                  d.zone(),
                  d.updateDomain(),
                  ApiKeys.hash(token),
                  now);
          s.persist(fresh);
          rows.put(d.name(), fresh);
          wanted.add(new NodeSpec(d.name(), cluster.nodeSize(), d.zone(), token));
        } else if (machine.state() == Machine.State.STOPPED) {
          wanted.add(new NodeSpec(d.name(), cluster.nodeSize(), d.zone(), null));
        }
      }
      if (!wanted.isEmpty()) {
        // The rows must be visible before the agents register.
        s.flush();
        s.getTransaction().commit();
        s.getTransaction().begin();
        if (!lock(s, cluster.id())) {
          throw new IllegalStateException("lost the cluster lock between steps");
        }
        if (machines.isEmpty()) {
          provider.checkFence();
          openBrokers();
        }
        provider.ensure(wanted);
        log.info(
            "cluster={} asked the provider for {}",
            id,
            wanted.stream().map(NodeSpec::nodeId).toList());
      }
    }

    /**
     * Nodes beyond the spec leave safely: drained (every replica moved), then told to decommission,
     * then destroyed once their broker stopped. Returns true while any is still leaving.
     */
    private boolean retireExtras(
        List<DesiredNode> desired,
        Map<String, ClusterNode> rows,
        Map<String, Machine> machines,
        Set<Integer> live) {
      Set<String> existing = new TreeSet<>(rows.keySet());
      existing.addAll(machines.keySet());
      List<String> extra = NodePlan.change(existing, desired).retire();
      for (String name : extra) {
        int brokerId = NodePlan.brokerIdOf(name);
        ClusterNode row = rows.get(name);
        if (!fleet.drained(cluster.id(), brokerId)) {
          provider.checkFence();
          fleet.drain(cluster.id(), brokerId);
          continue;
        }
        boolean stopped = !live.contains(brokerId) || (row != null && row.decommissioned());
        if (row != null && !row.decommission()) {
          row.requestDecommission();
          log.info("cluster={} node={} drained: decommissioning it", id, name);
        }
        if (row == null || stopped) {
          provider.destroy(Set.of(name));
          fleet.forget(cluster.id(), brokerId);
          if (row != null) {
            s.remove(row);
          }
          rows.remove(name);
          machines.remove(name);
          log.info("cluster={} node={} decommissioned and destroyed", id, name);
        }
      }
      Set<String> left = new TreeSet<>(rows.keySet());
      left.addAll(machines.keySet());
      return !NodePlan.change(left, desired).retire().isEmpty();
    }

    private void syncTopics(Map<String, ClusterNode> rows, Set<Integer> live) {
      String bootstrap = bootstrapServers(rows.values(), live);
      if (bootstrap.isEmpty()) {
        return;
      }
      List<BrokerFleet.TopicTarget> topics =
          s
              .createSelectionQuery("from Topic where clusterId = :c", Topic.class)
              .setParameter("c", cluster.id())
              .getResultList()
              .stream()
              .map(
                  t ->
                      new BrokerFleet.TopicTarget(
                          t.name(),
                          t.partitions(),
                          t.replicationFactor(),
                          t.retentionHours() * 3_600_000L,
                          t.minInsyncReplicas(),
                          t.cleanupPolicy(),
                          t.maxMessageBytes()))
              .toList();
      try {
        fleet.syncTopics(cluster.id(), bootstrap, topics);
      } catch (RuntimeException e) {
        log.warn("cluster={} {}; the next pass retries", id, e.getMessage());
      }
    }

    private void record(
        List<DesiredNode> desired,
        Map<String, ClusterNode> rows,
        Map<String, Machine> machines,
        Set<Integer> live,
        boolean extrasLeft) {
      long up =
          desired.stream()
              .filter(d -> machines.containsKey(d.name()) && live.contains(d.brokerId()))
              .count();
      BrokerFleet.MoveProgress moves = fleet.moves(cluster.id());
      boolean converged = up == desired.size() && !extrasLeft && moves.settled();
      if (converged) {
        // Every machine is up, but a partition without a leader (its in-sync replicas down or
        // back without their data) is not a ready cluster: status.offlinePartitions says which.
        boolean offline = !fleet.offlinePartitions(cluster.id()).isEmpty();
        cluster.observed(offline ? ClusterState.DEGRADED : ClusterState.READY);
        if (operation != null) {
          operation.succeed(now);
          log.info(
              "cluster={} operation={} {} succeeded: {} nodes ready",
              id,
              operation.id(),
              operation.kind(),
              up);
        }
        return;
      }
      if (operation == null) {
        cluster.observed(ClusterState.DEGRADED);
        return;
      }
      cluster.observed(
          operation.kind() == Operation.Kind.CREATE
              ? ClusterState.PROVISIONING
              : ClusterState.SCALING);
      int steps = desired.size() + (extrasLeft ? 1 : 0) + (moves.settled() ? 0 : 1);
      int done = (int) up;
      operation.progress(Math.min(99, 100 * done / Math.max(1, steps)), now);
      String blocker = brokersNotStarting(desired, rows, live);
      if (blocker != null && !blocker.equals(operation.errorMessage())) {
        log.warn("cluster={} operation={} cannot finish: {}", id, operation.id(), blocker);
      }
      operation.blockedBy(blocker == null ? null : "BrokerNotStarting", blocker, now);
    }
  }

  /** Deletes a topic on the cluster's brokers; a failure is logged (the topic stays there). */
  public void deleteTopicOnBrokers(UUID clusterId, String topic) {
    String bootstrap = db.sessions().fromSession(s -> liveBootstrap(s, clusterId, fleet));
    if (bootstrap.isEmpty()) {
      log.warn("cluster={} topic={} not deleted on the brokers: none is up", clusterId, topic);
      return;
    }
    try {
      fleet.deleteTopic(clusterId, bootstrap, topic);
    } catch (RuntimeException e) {
      log.warn("cluster={} topic={} {}", clusterId, topic, e.getMessage());
    }
  }

  /** The bootstrap servers of a cluster's live brokers (empty when none is up). */
  public static String liveBootstrap(Session s, UUID clusterId, BrokerFleet fleet) {
    return bootstrapServers(nodeRows(s, clusterId), fleet.liveBrokers(clusterId));
  }

  /** Where clients reach the cluster: the brokers of registered nodes that are live. */
  static String bootstrapServers(java.util.Collection<ClusterNode> rows, Set<Integer> live) {
    return rows.stream()
        .filter(n -> n.bootstrapAddress() != null && live.contains(n.brokerId()))
        .sorted(java.util.Comparator.comparingInt(ClusterNode::brokerId))
        .map(ClusterNode::bootstrapAddress)
        .collect(Collectors.joining(","));
  }

  /** Where the live brokers take events over HTTP (brokers without an HTTP head left out). */
  static List<String> httpEndpoints(
      java.util.Collection<ClusterNode> rows, Set<Integer> live, boolean tls) {
    return rows.stream()
        .filter(n -> n.httpEndpoint(tls) != null && live.contains(n.brokerId()))
        .sorted(java.util.Comparator.comparingInt(ClusterNode::brokerId))
        .map(n -> n.httpEndpoint(tls))
        .toList();
  }

  /**
   * The desired nodes whose broker is not live and whose agent reports why it ended (a crash loop,
   * or a restart after a failure), as "node-1: broker crashLooping (exit 1): cause; ..."; null when
   * none is.
   */
  static String brokersNotStarting(
      List<DesiredNode> desired, Map<String, ClusterNode> rows, Set<Integer> live) {
    List<String> failing = new ArrayList<>();
    for (DesiredNode d : desired) {
      ClusterNode row = rows.get(d.name());
      if (row == null || live.contains(d.brokerId()) || row.lastError() == null) {
        continue;
      }
      String state = row.brokerState();
      if ("crashLooping".equals(state) || "restarting".equals(state)) {
        failing.add(
            d.name()
                + ": broker "
                + state
                + (row.lastExitCode() == null ? "" : " (exit " + row.lastExitCode() + ")")
                + ": "
                + row.lastError());
      }
    }
    return failing.isEmpty() ? null : String.join("; ", failing);
  }

  @Override
  public void close() {
    loop.shutdownNow();
    try {
      loop.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
