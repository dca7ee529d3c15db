package io.flod.controlplane.topic;

import io.flod.api.OperationView;
import io.flod.broker.cluster.PartitionState;
import io.flod.controlplane.auth.Caller;
import io.flod.controlplane.cluster.Cluster;
import io.flod.controlplane.cluster.ClusterService;
import io.flod.controlplane.cluster.Operation;
import io.flod.controlplane.db.Database;
import io.flod.controlplane.fleet.BrokerFleet;
import io.flod.controlplane.http.ApiException;
import java.time.Clock;
import java.time.Instant;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An operator's choice to bring back a partition whose every in-sync replica lost its data: the
 * brokers keep such a partition offline (a wiped replica is never elected from the ISR entry of the
 * replica that held the data), and only this explicit request restarts it with what a live replica
 * holds. The choice is an operation of its own, recording who made it and what happened.
 */
public final class PartitionLossService {
  private static final Logger log = LoggerFactory.getLogger(PartitionLossService.class);
  private final Database db;
  private final BrokerFleet fleet;
  private final Clock clock;

  public PartitionLossService(Database db, BrokerFleet fleet, Clock clock) {
    this.db = db;
    this.fleet = fleet;
    this.clock = clock;
  }

  public OperationView acceptDataLoss(
      Caller caller, String tenant, String clusterName, String topic, int partition) {
    Cluster cluster =
        db.sessions()
            .fromSession(
                s -> {
                  Cluster found = ClusterService.visibleCluster(s, caller, tenant, clusterName);
                  boolean exists =
                      s.createSelectionQuery(
                                  "select count(*) from Topic where clusterId = :c and name = :n",
                                  Long.class)
                              .setParameter("c", found.id())
                              .setParameter("n", topic)
                              .getSingleResult()
                          > 0;
                  if (!exists) {
                    throw ApiException.notFound("Topic '" + topic + "'");
                  }
                  return found;
                });
    String who = caller.tenantId() == null ? "operator" : "tenant " + tenant;
    PartitionState accepted;
    try {
      accepted = fleet.acceptDataLoss(cluster.id(), new TopicPartition(topic, partition), who);
    } catch (IllegalArgumentException e) {
      throw ApiException.notFound("Partition " + partition + " of topic '" + topic + "'");
    } catch (IllegalStateException e) {
      throw new ApiException(ApiException.Kind.CONFLICT, e.getMessage());
    }
    String detail =
        "partition "
            + topic
            + "-"
            + partition
            + ": broker "
            + accepted.leader()
            + " leads at epoch "
            + accepted.leaderEpoch()
            + " with what its own log holds; records only earlier in-sync replicas held are lost";
    Instant now = clock.instant();
    Operation op =
        Operation.done(
            cluster.tenantId(),
            cluster.id(),
            cluster.name(),
            Operation.Kind.ACCEPT_DATA_LOSS,
            who,
            detail,
            now);
    db.sessions().inTransaction(s -> s.persist(op));
    log.warn(
        "tenant={} cluster={} partition={}-{} data loss accepted by {}: {}",
        tenant,
        clusterName,
        topic,
        partition,
        who,
        detail);
    return ClusterService.operationView(op, tenant);
  }
}
