package io.flod.controlplane.topic;

import io.flod.api.Problem.FieldError;
import io.flod.api.TopicPatch;
import io.flod.api.TopicSpec;
import io.flod.api.TopicView;
import io.flod.controlplane.auth.Caller;
import io.flod.controlplane.cluster.Cluster;
import io.flod.controlplane.cluster.ClusterService;
import io.flod.controlplane.db.Database;
import io.flod.controlplane.db.UniqueViolations;
import io.flod.controlplane.http.ApiException;
import io.flod.controlplane.http.Requests;
import java.time.Clock;
import java.util.List;
import org.hibernate.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Topics (event hubs) of a cluster. Changes are recorded and handed to the {@link TopicPlacement}
 * in one transaction: if placement fails, nothing is recorded.
 */
public final class TopicService {
  private static final Logger log = LoggerFactory.getLogger(TopicService.class);
  private final Database db;
  private final TopicPlacement placement;
  private final Clock clock;

  public TopicService(Database db, TopicPlacement placement, Clock clock) {
    this.db = db;
    this.placement = placement;
    this.clock = clock;
  }

  public TopicView create(Caller caller, String tenant, String clusterName, TopicSpec spec) {
    return UniqueViolations.retryOnce(
        "tenant=" + tenant + " cluster=" + clusterName + " topic=" + spec.name() + " create",
        () -> createOnce(caller, tenant, clusterName, spec));
  }

  private TopicView createOnce(Caller caller, String tenant, String clusterName, TopicSpec spec) {
    return db.sessions()
        .fromTransaction(
            s -> {
              Cluster cluster = ClusterService.visibleCluster(s, caller, tenant, clusterName);
              if (cluster.deleting()) {
                throw new ApiException(
                    ApiException.Kind.CONFLICT, "Cluster '" + clusterName + "' is being deleted.");
              }
              if (find(s, cluster, spec.name()) != null) {
                throw new ApiException(
                    ApiException.Kind.CONFLICT, "Topic '" + spec.name() + "' already exists.");
              }
              int replicationFactor =
                  spec.replicationFactor() != null
                      ? spec.replicationFactor()
                      : Math.min(3, cluster.nodeCount());
              int minIsr = spec.minInsyncReplicas() != null ? spec.minInsyncReplicas() : 1;
              checkReplication(cluster, replicationFactor, minIsr);
              Topic topic =
                  new Topic(
                      cluster.id(),
                      spec.name(),
                      spec.partitions() != null ? spec.partitions() : 4,
                      replicationFactor,
                      spec.retentionHours() != null ? spec.retentionHours() : 168,
                      minIsr,
                      spec.cleanupPolicy() != null ? spec.cleanupPolicy() : "delete",
                      spec.maxMessageBytes() != null ? spec.maxMessageBytes() : 1 << 20,
                      clock.instant());
              s.persist(topic);
              s.flush();
              TopicView view = view(topic);
              placement.apply(cluster.id(), view);
              log.info(
                  "tenant={} cluster={} topic={} created: {} partitions, RF {}",
                  tenant,
                  clusterName,
                  topic.name(),
                  topic.partitions(),
                  topic.replicationFactor());
              return view;
            });
  }

  public List<TopicView> list(Caller caller, String tenant, String clusterName) {
    return db.sessions()
        .fromSession(
            s -> {
              Cluster cluster = ClusterService.visibleCluster(s, caller, tenant, clusterName);
              return s
                  .createSelectionQuery(
                      "from Topic where clusterId = :c order by name", Topic.class)
                  .setParameter("c", cluster.id())
                  .getResultList()
                  .stream()
                  .map(TopicService::view)
                  .toList();
            });
  }

  public TopicView get(Caller caller, String tenant, String clusterName, String name) {
    return db.sessions().fromSession(s -> view(require(s, caller, tenant, clusterName, name)));
  }

  public TopicView change(
      Caller caller,
      String tenant,
      String clusterName,
      String name,
      String ifMatch,
      TopicPatch patch) {
    return db.sessions()
        .fromTransaction(
            s -> {
              Topic topic = require(s, caller, tenant, clusterName, name);
              Requests.checkIfMatch(ifMatch, topic.version());
              if (patch.partitions() != null && patch.partitions() < topic.partitions()) {
                throw new ApiException(
                    ApiException.Kind.CONFLICT,
                    "Topic '"
                        + name
                        + "' has "
                        + topic.partitions()
                        + " partitions; partitions can be added but never"
                        + " removed, because removing one would lose its events and send its keys to other partitions.");
              }
              if (patch.minInsyncReplicas() != null) {
                Cluster cluster = ClusterService.visibleCluster(s, caller, tenant, clusterName);
                checkReplication(cluster, topic.replicationFactor(), patch.minInsyncReplicas());
              }
              topic.change(
                  patch.partitions(),
                  patch.retentionHours(),
                  patch.minInsyncReplicas(),
                  patch.maxMessageBytes());
              s.flush();
              TopicView view = view(topic);
              placement.apply(topic.clusterId(), view);
              log.info("tenant={} cluster={} topic={} changed", tenant, clusterName, name);
              return view;
            });
  }

  public void delete(
      Caller caller, String tenant, String clusterName, String name, String ifMatch) {
    db.sessions()
        .inTransaction(
            s -> {
              Topic topic = require(s, caller, tenant, clusterName, name);
              Requests.checkIfMatch(ifMatch, topic.version());
              s.remove(topic);
              placement.remove(topic.clusterId(), name);
              log.info("tenant={} cluster={} topic={} deleted", tenant, clusterName, name);
            });
  }

  private static void checkReplication(Cluster cluster, int replicationFactor, int minIsr) {
    if (replicationFactor > cluster.nodeCount()) {
      throw new ApiException(
          ApiException.Kind.VALIDATION,
          "The replication factor cannot exceed the cluster's " + cluster.nodeCount() + " nodes.",
          List.of(new FieldError("replicationFactor", "at most " + cluster.nodeCount())));
    }
    if (minIsr > replicationFactor) {
      throw new ApiException(
          ApiException.Kind.VALIDATION,
          "min.insync.replicas cannot exceed the replication factor " + replicationFactor + ".",
          List.of(new FieldError("minInsyncReplicas", "at most " + replicationFactor)));
    }
  }

  private static Topic require(
      Session s, Caller caller, String tenant, String clusterName, String name) {
    Topic topic = find(s, ClusterService.visibleCluster(s, caller, tenant, clusterName), name);
    if (topic == null) {
      throw ApiException.notFound("Topic '" + name + "'");
    }
    return topic;
  }

  private static Topic find(Session s, Cluster cluster, String name) {
    return s.createSelectionQuery("from Topic where clusterId = :c and name = :n", Topic.class)
        .setParameter("c", cluster.id())
        .setParameter("n", name)
        .uniqueResult();
  }

  private static TopicView view(Topic t) {
    return new TopicView(
        t.name(),
        t.partitions(),
        t.replicationFactor(),
        t.retentionHours(),
        t.minInsyncReplicas(),
        t.cleanupPolicy(),
        t.maxMessageBytes(),
        Requests.etag(t.version()));
  }
}
