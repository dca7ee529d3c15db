package io.flod.controlplane.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flod.api.ClusterPatch;
import io.flod.api.ClusterSpec;
import io.flod.api.ClusterView;
import io.flod.api.OperationView;
import io.flod.api.Page;
import io.flod.controlplane.auth.ApiKeys;
import io.flod.controlplane.auth.Caller;
import io.flod.controlplane.db.Database;
import io.flod.controlplane.db.UniqueViolations;
import io.flod.controlplane.fleet.BrokerFleet;
import io.flod.controlplane.http.ApiException;
import io.flod.controlplane.http.Requests;
import io.flod.controlplane.node.ClusterNode;
import io.flod.controlplane.tenant.Tenant;
import io.flod.controlplane.tenant.TenantService;
import io.flod.provisioner.Provisioner;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import org.hibernate.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Clusters and their operations. A request only records the desired state and an operation, then
 * asks the {@link ClusterReconciler} for a pass; the reconciler does the work. A newer change to a
 * cluster supersedes its unfinished operation (the reconciler converges on the latest spec).
 */
public final class ClusterService {
  private static final Logger log = LoggerFactory.getLogger(ClusterService.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** An accepted change: the operation to follow, and the cluster the reconciler should visit. */
  public record Accepted(OperationView operation, UUID clusterId) {}

  private final Database db;
  private final Provisioner provisioner;
  private final BrokerFleet fleet;
  private final ClusterReconciler reconciler;
  private final Clock clock;

  public ClusterService(
      Database db,
      Provisioner provisioner,
      BrokerFleet fleet,
      ClusterReconciler reconciler,
      Clock clock) {
    this.db = db;
    this.provisioner = provisioner;
    this.fleet = fleet;
    this.reconciler = reconciler;
    this.clock = clock;
  }

  /**
   * Records a new cluster and its CREATE operation. With an {@code Idempotency-Key} seen before,
   * returns that first operation when the body is the same, and 422 when it is not. Concurrent
   * requests for the same name or key: one commits, the others run again and answer as if they came
   * after it (the same operation for the same key and body, otherwise 409 or 422).
   */
  public Accepted create(
      Caller caller, String tenantName, ClusterSpec spec, String idempotencyKey) {
    String requestHash = ApiKeys.hash(json(spec));
    Accepted result =
        UniqueViolations.retryOnce(
            "tenant=" + tenantName + " cluster=" + spec.name() + " create",
            () -> createOnce(caller, tenantName, spec, idempotencyKey, requestHash));
    triggerFor(result);
    return result;
  }

  private Accepted createOnce(
      Caller caller,
      String tenantName,
      ClusterSpec spec,
      String idempotencyKey,
      String requestHash) {
    Accepted result =
        db.sessions()
            .fromTransaction(
                s -> {
                  Tenant tenant = TenantService.visible(s, caller, tenantName);
                  // Read before the key: each statement sees the rows committed when it starts, so
                  // a concurrent create with this key that commits between the two reads is then
                  // found by the key, and its cluster is not mistaken for a conflicting one.
                  boolean nameTaken = findCluster(s, tenant.id(), spec.name()) != null;
                  if (idempotencyKey != null) {
                    Operation earlier =
                        s.createSelectionQuery(
                                "from Operation where tenantId = :t and idempotencyKey = :k",
                                Operation.class)
                            .setParameter("t", tenant.id())
                            .setParameter("k", idempotencyKey)
                            .uniqueResult();
                    if (earlier != null) {
                      if (!earlier.requestHash().equals(requestHash)) {
                        throw new ApiException(
                            ApiException.Kind.UNPROCESSABLE,
                            "Idempotency-Key "
                                + idempotencyKey
                                + " was used for a different request.");
                      }
                      return new Accepted(view(earlier, tenantName), earlier.clusterId());
                    }
                  }
                  if (nameTaken) {
                    throw new ApiException(
                        ApiException.Kind.CONFLICT,
                        "Cluster '" + spec.name() + "' already exists.");
                  }
                  Cluster cluster =
                      new Cluster(
                          tenant.id(),
                          spec.name(),
                          spec.nodeCount(),
                          spec.nodeSize(),
                          spec.zones(),
                          spec.updateDomains(),
                          spec.throughputUnits(),
                          spec.brokerVersion(),
                          spec.authentication(),
                          spec.httpMaxMessageBytes(),
                          clock.instant());
                  s.persist(cluster);
                  Operation operation =
                      new Operation(
                          tenant.id(),
                          cluster.id(),
                          cluster.name(),
                          Operation.Kind.CREATE,
                          idempotencyKey,
                          requestHash,
                          clock.instant());
                  s.persist(operation);
                  log.info(
                      "tenant={} cluster={} id={} create requested: {} nodes; operation={}",
                      tenantName,
                      spec.name(),
                      cluster.id(),
                      spec.nodeCount(),
                      operation.id());
                  return new Accepted(view(operation, tenantName), operation.clusterId());
                });
    return result;
  }

  public Page<ClusterView> list(Caller caller, String tenantName) {
    return db.sessions()
        .fromSession(
            s -> {
              Tenant tenant = TenantService.visible(s, caller, tenantName);
              List<Cluster> clusters =
                  s.createSelectionQuery(
                          "from Cluster where tenantId = :t order by name", Cluster.class)
                      .setParameter("t", tenant.id())
                      .getResultList();
              // One query for every listed cluster's nodes, not one per cluster.
              java.util.Map<UUID, List<ClusterNode>> nodes =
                  clusters.isEmpty()
                      ? java.util.Map.of()
                      : s
                          .createSelectionQuery(
                              "from ClusterNode where key.clusterId in :ids order by brokerId",
                              ClusterNode.class)
                          .setParameter("ids", clusters.stream().map(Cluster::id).toList())
                          .getResultList()
                          .stream()
                          .collect(java.util.stream.Collectors.groupingBy(ClusterNode::clusterId));
              List<ClusterView> items =
                  clusters.stream()
                      .map(c -> view(c, nodes.getOrDefault(c.id(), List.of())))
                      .toList();
              return new Page<>(items, null);
            });
  }

  public ClusterView get(Caller caller, String tenantName, String clusterName) {
    return db.sessions()
        .fromSession(
            s -> {
              Cluster cluster = visibleCluster(s, caller, tenantName, clusterName);
              return view(cluster, ClusterReconciler.nodeRows(s, cluster.id()));
            });
  }

  private Accepted scaleOnce(
      Caller caller, String tenantName, String clusterName, String ifMatch, ClusterPatch patch) {
    Accepted result =
        db.sessions()
            .fromTransaction(
                s -> {
                  Cluster cluster = visibleCluster(s, caller, tenantName, clusterName);
                  Requests.checkIfMatch(ifMatch, cluster.version());
                  if (cluster.deleting()) {
                    throw new ApiException(
                        ApiException.Kind.CONFLICT,
                        "Cluster '" + clusterName + "' is being deleted.");
                  }
                  if (patch.nodeCount() != null) {
                    Integer maxRf =
                        s.createSelectionQuery(
                                "select max(replicationFactor) from Topic where clusterId = :c",
                                Integer.class)
                            .setParameter("c", cluster.id())
                            .getSingleResult();
                    if (maxRf != null && patch.nodeCount() < maxRf) {
                      throw new ApiException(
                          ApiException.Kind.CONFLICT,
                          "A topic has replication factor "
                              + maxRf
                              + ": the cluster cannot have fewer nodes than that.");
                    }
                  }
                  supersedeUnfinished(s, cluster.id());
                  cluster.scale(patch.nodeCount(), patch.throughputUnits());
                  cluster.observed(ClusterState.SCALING);
                  Operation operation =
                      new Operation(
                          cluster.tenantId(),
                          cluster.id(),
                          cluster.name(),
                          Operation.Kind.SCALE,
                          null,
                          null,
                          clock.instant());
                  s.persist(operation);
                  log.info(
                      "tenant={} cluster={} scale requested: nodeCount={} throughputUnits={}; operation={}",
                      tenantName,
                      clusterName,
                      cluster.nodeCount(),
                      cluster.throughputUnits(),
                      operation.id());
                  return new Accepted(view(operation, tenantName), operation.clusterId());
                });
    triggerFor(result);
    return result;
  }

  /** What {@link #scale} would do, without doing it. */
  public io.flod.api.ScalePlan plan(
      Caller caller, String tenantName, String clusterName, ClusterPatch patch) {
    return db.sessions()
        .fromSession(
            s -> {
              Cluster cluster = visibleCluster(s, caller, tenantName, clusterName);
              int target = patch.nodeCount() != null ? patch.nodeCount() : cluster.nodeCount();
              java.util.Set<String> existing = new java.util.TreeSet<>();
              provisioner.describe(cluster.id().toString()).forEach(m -> existing.add(m.nodeId()));
              NodePlan.Change change =
                  NodePlan.change(
                      existing, NodePlan.desired(target, cluster.zones(), cluster.updateDomains()));
              List<String> add = change.add();
              List<String> remove = change.retire();
              java.util.List<String> moves = new java.util.ArrayList<>();
              long bytes = 0;
              java.util.Map<String, ClusterNode> rows = new java.util.HashMap<>();
              ClusterReconciler.nodeRows(s, cluster.id()).forEach(n -> rows.put(n.nodeName(), n));
              for (String node : remove) {
                int brokerId = NodePlan.brokerIdOf(node);
                for (String replica : fleet.replicasOn(cluster.id(), brokerId)) {
                  moves.add(replica + " from " + node);
                }
                ClusterNode row = rows.get(node);
                bytes += row == null ? 0 : Math.max(0, row.diskUsedBytes());
              }
              return new io.flod.api.ScalePlan(existing.size(), target, add, remove, moves, bytes);
            });
  }

  private OperationView cancelOnce(Caller caller, String operationId) {
    Accepted result =
        db.sessions()
            .fromTransaction(
                s -> {
                  Operation operation = s.find(Operation.class, parseId(operationId));
                  if (operation == null || !caller.mayAccess(operation.tenantId())) {
                    throw ApiException.notFound("Operation " + operationId);
                  }
                  if (operation.status().finished()) {
                    throw new ApiException(
                        ApiException.Kind.CONFLICT,
                        "The operation already ended: " + operation.status().apiName() + ".");
                  }
                  if (operation.kind() == Operation.Kind.DELETE) {
                    throw new ApiException(
                        ApiException.Kind.CONFLICT,
                        "A delete cannot be stopped safely: machines may already be gone.");
                  }
                  Cluster cluster = s.find(Cluster.class, operation.clusterId());
                  if (operation.kind() == Operation.Kind.CREATE) {
                    cluster.markDeleting();
                  } else {
                    cluster.scale(
                        Math.max(1, provisioner.describe(cluster.id().toString()).size()), null);
                  }
                  operation.cancel(clock.instant());
                  Tenant tenant = s.find(Tenant.class, operation.tenantId());
                  log.info(
                      "tenant={} cluster={} operation={} {} canceled",
                      tenant.name(),
                      operation.clusterName(),
                      operation.id(),
                      operation.kind());
                  return new Accepted(view(operation, tenant.name()), operation.clusterId());
                });
    triggerFor(result);
    return result.operation();
  }

  private Accepted deleteOnce(
      Caller caller, String tenantName, String clusterName, String ifMatch) {
    Accepted result =
        db.sessions()
            .fromTransaction(
                s -> {
                  Cluster cluster = visibleCluster(s, caller, tenantName, clusterName);
                  Requests.checkIfMatch(ifMatch, cluster.version());
                  supersedeUnfinished(s, cluster.id());
                  cluster.markDeleting();
                  Operation operation =
                      new Operation(
                          cluster.tenantId(),
                          cluster.id(),
                          cluster.name(),
                          Operation.Kind.DELETE,
                          null,
                          null,
                          clock.instant());
                  s.persist(operation);
                  log.info(
                      "tenant={} cluster={} delete requested; operation={}",
                      tenantName,
                      clusterName,
                      operation.id());
                  return new Accepted(view(operation, tenantName), operation.clusterId());
                });
    triggerFor(result);
    return result;
  }

  public OperationView operation(Caller caller, String operationId) {
    return db.sessions()
        .fromSession(
            s -> {
              Operation operation = s.find(Operation.class, parseId(operationId));
              if (operation == null || !caller.mayAccess(operation.tenantId())) {
                throw ApiException.notFound("Operation " + operationId);
              }
              Tenant tenant = s.find(Tenant.class, operation.tenantId());
              return view(operation, tenant.name());
            });
  }

  private void triggerFor(Accepted accepted) {
    reconciler.trigger(accepted.clusterId());
  }

  /** Scales a cluster: a SCALE operation that supersedes any unfinished one. */
  public Accepted scale(
      Caller caller, String tenantName, String clusterName, String ifMatch, ClusterPatch patch) {
    return retryUnlessConditional(
        ifMatch, () -> scaleOnce(caller, tenantName, clusterName, ifMatch, patch));
  }

  public Accepted delete(Caller caller, String tenantName, String clusterName, String ifMatch) {
    return retryUnlessConditional(
        ifMatch, () -> deleteOnce(caller, tenantName, clusterName, ifMatch));
  }

  /**
   * Stops an unfinished CREATE (the cluster is then deleted) or SCALE (the spec goes back to the
   * nodes that exist now). A DELETE is not stopped: machines may already be gone.
   */
  public OperationView cancel(Caller caller, String operationId) {
    return retryUnlessConditional(null, () -> cancelOnce(caller, operationId));
  }

  /**
   * Runs a change again when the reconciler updated the same rows meanwhile (an optimistic-lock
   * conflict), unless the caller made it conditional with If-Match: then the conflict is the
   * caller's to see, as 412.
   */
  private static <T> T retryUnlessConditional(
      String ifMatch, java.util.function.Supplier<T> change) {
    int attempts = ifMatch == null ? 5 : 1;
    for (int attempt = 1; ; attempt++) {
      try {
        return change.get();
      } catch (RuntimeException e) {
        if (attempt >= attempts || !isOptimisticLockConflict(e)) {
          throw e;
        }
      }
    }
  }

  private static boolean isOptimisticLockConflict(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof jakarta.persistence.OptimisticLockException
          || t instanceof org.hibernate.StaleStateException) {
        return true;
      }
    }
    return false;
  }

  private void supersedeUnfinished(Session s, UUID clusterId) {
    s.createSelectionQuery("from Operation where clusterId = :c and status = :st", Operation.class)
        .setParameter("c", clusterId)
        .setParameter("st", OperationStatus.IN_PROGRESS)
        .getResultList()
        .forEach(op -> op.supersede(clock.instant()));
  }

  private static UUID parseId(String id) {
    try {
      return UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      throw ApiException.notFound("Operation " + id);
    }
  }

  private static Cluster findCluster(Session s, UUID tenantId, String name) {
    return s.createSelectionQuery("from Cluster where tenantId = :t and name = :n", Cluster.class)
        .setParameter("t", tenantId)
        .setParameter("n", name)
        .uniqueResult();
  }

  /** The named cluster of a tenant the caller may see; otherwise 404. Shared by topic services. */
  public static Cluster visibleCluster(
      Session s, Caller caller, String tenantName, String clusterName) {
    Tenant tenant = TenantService.visible(s, caller, tenantName);
    Cluster cluster = findCluster(s, tenant.id(), clusterName);
    if (cluster == null) {
      throw ApiException.notFound("Cluster '" + clusterName + "'");
    }
    return cluster;
  }

  private ClusterView view(Cluster c, List<ClusterNode> nodeRows) {
    java.util.Map<String, ClusterNode> rows = new java.util.HashMap<>();
    nodeRows.forEach(n -> rows.put(n.nodeName(), n));
    List<ClusterView.Node> nodes =
        provisioner.describe(c.id().toString()).stream()
            .map(
                m -> {
                  ClusterNode row = rows.get(m.nodeId());
                  return new ClusterView.Node(
                      m.nodeId(),
                      m.zone(),
                      m.state().name(),
                      row == null ? null : row.brokerState(),
                      row == null ? 0 : row.restarts(),
                      row == null ? 0 : row.partitionsLed(),
                      row == null ? null : row.bootstrapAddress(),
                      row == null ? null : row.lastExitCode(),
                      row == null ? null : row.lastError());
                })
            .sorted(java.util.Comparator.comparing(ClusterView.Node::nodeId))
            .toList();
    String bootstrap = "";
    List<String> httpEndpoints = List.of();
    List<ClusterView.OfflinePartition> offline = new java.util.ArrayList<>();
    if (!c.deleting() && !rows.isEmpty()) {
      fleet
          .offlinePartitions(c.id())
          .forEach((tp, reason) -> offline.add(new ClusterView.OfflinePartition(tp, reason)));
      try {
        java.util.Set<Integer> live = fleet.liveBrokers(c.id());
        bootstrap = ClusterReconciler.bootstrapServers(rows.values(), live);
        httpEndpoints =
            ClusterReconciler.httpEndpoints(rows.values(), live, fleet.brokerTls() != null);
      } catch (RuntimeException e) {
        log.debug("cluster={} brokers not observable: {}", c.id(), e.toString());
      }
    }
    return new ClusterView(
        c.name(),
        new ClusterSpec(
            c.name(),
            c.nodeCount(),
            c.nodeSize(),
            c.zones(),
            c.updateDomains(),
            c.throughputUnits(),
            c.brokerVersion(),
            c.authentication(),
            c.httpMaxMessageBytes()),
        new ClusterView.Status(
            c.state().apiName(), nodes, bootstrap, httpEndpoints, c.stateReason(), offline),
        Requests.etag(c.version()));
  }

  /** An operation as the API shows it. */
  public static OperationView operationView(Operation op, String tenantName) {
    return view(op, tenantName);
  }

  static OperationView view(Operation op, String tenantName) {
    return new OperationView(
        op.id().toString(),
        op.kind().name(),
        "/v1/tenants/" + tenantName + "/clusters/" + op.clusterName(),
        op.status().apiName(),
        op.percentComplete(),
        op.createdAt().toString(),
        op.updatedAt().toString(),
        op.errorCode() == null ? null : new OperationView.Error(op.errorCode(), op.errorMessage()),
        op.requestedBy(),
        op.detail());
  }

  private static String json(ClusterSpec spec) {
    try {
      return JSON.writeValueAsString(spec);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
