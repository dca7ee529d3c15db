package io.flod.controlplane.cluster;

import io.flod.controlplane.db.Database;
import io.flod.provisioner.Machine;
import io.flod.provisioner.NodeSpec;
import io.flod.provisioner.Provisioner;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
 * the cluster when another instance holds it. Passes run on one thread per instance, every {@code
 * intervalMs} for all clusters and at once for a cluster a request just changed.
 *
 * <p>Not yet: scale-in here destroys the highest-numbered nodes directly, which is safe only while
 * nodes hold no replicas; with replication (the Helix issue) it must move every replica off first.
 */
public final class ClusterReconciler implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ClusterReconciler.class);
  private final Database db;
  private final Provisioner provisioner;
  private final Clock clock;
  private final MeterRegistry metrics;
  private final ScheduledExecutorService loop =
      Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "flod-reconciler"));

  public ClusterReconciler(
      Database db, Provisioner provisioner, Clock clock, MeterRegistry metrics) {
    this.db = db;
    this.provisioner = provisioner;
    this.clock = clock;
    this.metrics = metrics;
    for (OperationStatus status : OperationStatus.values()) {
      Gauge.builder("flod.operations", () -> countOperations(status))
          .description("Operations by status")
          .tag("status", status.apiName())
          .register(metrics);
    }
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
  }

  private void reconcileQuietly(UUID clusterId) {
    Timer.Sample sample = Timer.start(metrics);
    String result = "ok";
    try {
      reconcile(clusterId);
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
              Cluster cluster = s.find(Cluster.class, clusterId);
              if (cluster == null) {
                return;
              }
              Operation operation = currentOperation(s, clusterId);
              if (cluster.deleting()) {
                deleteStep(s, cluster, operation);
              } else {
                convergeStep(cluster, operation);
              }
            });
  }

  private static boolean lock(Session s, UUID clusterId) {
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

  private void deleteStep(Session s, Cluster cluster, Operation operation) {
    String id = cluster.id().toString();
    List<Machine> machines = provisioner.describe(id);
    if (!machines.isEmpty()) {
      provisioner.destroy(id, machines.stream().map(Machine::nodeId).collect(Collectors.toSet()));
    }
    if (provisioner.describe(id).isEmpty()) {
      s.remove(cluster);
      if (operation != null) {
        operation.succeed(clock.instant());
      }
      log.info("cluster={} tenant={} deleted: every machine is gone", id, cluster.tenantId());
    } else if (operation != null) {
      operation.progress(50, clock.instant());
    }
  }

  private void convergeStep(Cluster cluster, Operation operation) {
    String id = cluster.id().toString();
    List<NodeSpec> desired = desiredNodes(cluster);
    Set<String> desiredIds = desired.stream().map(NodeSpec::nodeId).collect(Collectors.toSet());
    Set<String> existing =
        provisioner.describe(id).stream().map(Machine::nodeId).collect(Collectors.toSet());
    List<NodeSpec> missing = desired.stream().filter(n -> !existing.contains(n.nodeId())).toList();
    try {
      if (!missing.isEmpty()) {
        provisioner.ensure(id, missing);
        log.info("cluster={} asked the provider for {} nodes", id, missing.size());
      }
    } catch (RuntimeException e) {
      cluster.observed(ClusterState.FAILED);
      if (operation != null) {
        operation.fail("ProvisioningFailed", String.valueOf(e.getMessage()), clock.instant());
      }
      log.warn("cluster={} provisioning failed: {}", id, e.getMessage());
      return;
    }
    Set<String> extra = new HashSet<>(existing);
    extra.removeAll(desiredIds);
    if (!extra.isEmpty()) {
      provisioner.destroy(id, extra);
      log.info("cluster={} destroyed {} nodes beyond the spec", id, extra.size());
    }
    List<Machine> now = provisioner.describe(id);
    long running =
        now.stream()
            .filter(m -> m.state() == Machine.State.RUNNING && desiredIds.contains(m.nodeId()))
            .count();
    boolean converged = running == desired.size() && now.size() == desired.size();
    if (converged) {
      cluster.observed(ClusterState.READY);
      if (operation != null) {
        operation.succeed(clock.instant());
        log.info(
            "cluster={} operation={} {} succeeded: {} nodes ready",
            id,
            operation.id(),
            operation.kind(),
            running);
      }
    } else {
      boolean creating = operation != null && operation.kind() == Operation.Kind.CREATE;
      cluster.observed(creating ? ClusterState.PROVISIONING : ClusterState.SCALING);
      if (operation != null) {
        operation.progress((int) (100 * running / Math.max(1, desired.size())), clock.instant());
      }
    }
  }

  /** node-0 .. node-(n-1), spread over the zones in turn. */
  static List<NodeSpec> desiredNodes(Cluster cluster) {
    List<NodeSpec> nodes = new ArrayList<>();
    List<String> zones = cluster.zones();
    for (int i = 0; i < cluster.nodeCount(); i++) {
      nodes.add(new NodeSpec("node-" + i, cluster.nodeSize(), zones.get(i % zones.size())));
    }
    return nodes;
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
