package io.flod.controlplane.node;

import io.flod.api.AgentAssignment;
import io.flod.api.AgentHeartbeat;
import io.flod.api.AgentInstruction;
import io.flod.api.AgentRegistration;
import io.flod.controlplane.auth.ApiKeys;
import io.flod.controlplane.cluster.Cluster;
import io.flod.controlplane.db.Database;
import io.flod.controlplane.fleet.BrokerFleet;
import io.flod.controlplane.fleet.BrokerTls;
import io.flod.controlplane.http.ApiException;
import java.time.Clock;
import java.util.Map;
import org.hibernate.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node agents' side of the API. An agent proves which machine it is with the bootstrap token
 * the reconciler made for that machine (only its hash is stored); a token of a machine that was
 * replaced or destroyed no longer matches anything.
 */
public final class AgentService {
  private static final Logger log = LoggerFactory.getLogger(AgentService.class);
  private final Database db;
  private final BrokerFleet fleet;
  private final Clock clock;
  private final long heartbeatIntervalMs;
  private final String machineZkConnect;

  private final io.flod.controlplane.sas.SecretBox secrets;

  public AgentService(Database db, BrokerFleet fleet, Clock clock, long heartbeatIntervalMs) {
    this(db, fleet, clock, heartbeatIntervalMs, null, null);
  }

  /**
   * {@code machineZkConnect}: the ZooKeeper address handed to brokers when it differs from the one
   * the control plane uses (a load balancer or proxy in between); null for the fleet's own. {@code
   * secrets}: where clusters' keys come from (null: clusters get none, tests without SAS).
   */
  public AgentService(
      Database db,
      BrokerFleet fleet,
      Clock clock,
      long heartbeatIntervalMs,
      String machineZkConnect,
      io.flod.controlplane.sas.SecretBox secrets) {
    this.secrets = secrets;
    this.db = db;
    this.fleet = fleet;
    this.clock = clock;
    this.heartbeatIntervalMs = heartbeatIntervalMs;
    this.machineZkConnect = machineZkConnect;
  }

  public AgentAssignment register(String token, AgentRegistration registration) {
    if (registration == null
        || registration.host() == null
        || !registration.host().matches("[A-Za-z0-9.:-]{1,255}")
        || registration.brokerPort() < 0 // 0: the broker picks one; the heartbeat says which
        || registration.brokerPort() > 65535
        || registration.httpPort() < 0
        || registration.httpPort() > 65535) {
      throw new ApiException(
          ApiException.Kind.MALFORMED, "host is required; brokerPort and httpPort 0-65535.");
    }
    return db.sessions()
        .fromTransaction(
            s -> {
              ClusterNode node = byToken(s, token);
              node.registered(
                  registration.host(),
                  registration.brokerPort(),
                  registration.httpPort(),
                  clock.instant());
              log.info(
                  "cluster={} node={} agent registered; broker at {}",
                  node.clusterId(),
                  node.nodeName(),
                  node.bootstrapAddress());
              return new AgentAssignment(
                  node.clusterId().toString(),
                  fleet.helixCluster(node.clusterId()),
                  node.nodeName(),
                  node.brokerId(),
                  node.zone(),
                  node.updateDomain(),
                  (machineZkConnect != null ? machineZkConnect : fleet.zkConnect())
                      + fleet.zkAccess(node.clusterId()).root(),
                  registration.host(),
                  registration.brokerPort(),
                  brokerConfig(s, node),
                  heartbeatIntervalMs,
                  brokerSecrets(s, node));
            });
  }

  /**
   * Secrets of the node's cluster only: its ZooKeeper identity (when ZooKeeper is fenced), the key
   * its SAS rules are sealed with, and the brokers' TLS certificate and key.
   */
  private Map<String, String> brokerSecrets(Session s, ClusterNode node) {
    Map<String, String> out = new java.util.HashMap<>();
    io.flod.controlplane.zk.ClusterRoots.Access zk = fleet.zkAccess(node.clusterId());
    if (zk.user() != null) {
      out.put("zookeeper.sasl.username", zk.user());
      out.put("zookeeper.sasl.password", zk.password());
    }
    Cluster cluster = s.get(Cluster.class, node.clusterId());
    if (cluster != null && cluster.sas() && secrets != null) {
      out.put("sas.rules.key", secrets.clusterRulesKey(cluster.id()));
    }
    BrokerTls tls = fleet.brokerTls();
    if (tls != null) {
      // The certificate and key themselves, not their paths here: a machine made through jclouds
      // does not share this disk. The agent writes them owner-only where the broker reads them.
      out.put("ssl.certificate.pem", read(tls.certificate()));
      out.put("ssl.key.pem", read(tls.key()));
    }
    return out;
  }

  private static String read(java.nio.file.Path file) {
    try {
      return java.nio.file.Files.readString(file, java.nio.charset.StandardCharsets.US_ASCII);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot read the brokers' TLS file " + file, e);
    }
  }

  /** Settings the cluster's spec (and the node's ports) decide for the broker. */
  private Map<String, String> brokerConfig(Session s, ClusterNode node) {
    Cluster cluster = s.get(Cluster.class, node.clusterId());
    Map<String, String> config = new java.util.LinkedHashMap<>();
    if (cluster != null && cluster.sas()) {
      config.put("sasl.enabled", "true");
    }
    if (node.httpPort() != null) {
      config.put("https.port", Integer.toString(node.httpPort()));
      if (cluster != null) {
        config.put("https.max.message.bytes", Integer.toString(cluster.httpMaxMessageBytes()));
      }
    }
    return config;
  }

  public AgentInstruction heartbeat(String token, AgentHeartbeat beat) {
    if (beat == null || beat.brokerState() == null || beat.brokerState().length() > 16) {
      throw new ApiException(ApiException.Kind.MALFORMED, "brokerState is required.");
    }
    return db.sessions()
        .fromTransaction(
            s -> {
              ClusterNode node = byToken(s, token);
              String previousError = node.lastError();
              if (beat.decommissioned() && !node.decommissioned()) {
                log.info(
                    "cluster={} node={} agent reports its broker decommissioned",
                    node.clusterId(),
                    node.nodeName());
              }
              node.heartbeat(
                  beat.brokerState(),
                  beat.restarts(),
                  beat.diskUsedBytes(),
                  beat.diskFreeBytes(),
                  beat.partitionsLed(),
                  beat.decommissioned(),
                  beat.brokerPort(),
                  beat.httpPort(),
                  beat.lastExitCode(),
                  beat.lastError(),
                  clock.instant());
              if (beat.lastError() != null
                  && !beat.lastError().equals(previousError)
                  && !"running".equals(beat.brokerState())) {
                log.warn(
                    "cluster={} node={} broker {} (exit {}): {}",
                    node.clusterId(),
                    node.nodeName(),
                    beat.brokerState(),
                    beat.lastExitCode(),
                    beat.lastError());
              }
              return new AgentInstruction(
                  node.decommission() ? AgentInstruction.DECOMMISSION : AgentInstruction.RUN);
            });
  }

  private static ClusterNode byToken(Session s, String token) {
    ClusterNode node =
        token == null
            ? null
            : s.createSelectionQuery("from ClusterNode where tokenHash = :h", ClusterNode.class)
                .setParameter("h", ApiKeys.hash(token))
                .uniqueResult();
    if (node == null) {
      throw new ApiException(ApiException.Kind.UNAUTHORIZED, "The agent token is not valid.");
    }
    return node;
  }
}
