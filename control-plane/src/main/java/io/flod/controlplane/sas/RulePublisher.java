package io.flod.controlplane.sas;

import io.flod.broker.auth.Right;
import io.flod.broker.auth.SasRule;
import io.flod.broker.auth.SasRuleBook;
import io.flod.controlplane.cluster.Cluster;
import io.flod.controlplane.fleet.BrokerFleet;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.hibernate.Session;

/**
 * Keeps a SAS cluster's brokers in step with its rules: on every reconcile pass the rules and keys
 * as stored (opened from their sealed form) and the cluster's broker secret are compared with what
 * was last published and, when different, written where the brokers read them. Level-triggered, so
 * a rule created, changed, regenerated or deleted reaches the brokers within a pass or two, and a
 * restarted control plane publishes again.
 */
public final class RulePublisher {
  private static final SecureRandom RANDOM = new SecureRandom();
  private final SecretBox secrets;
  private final BrokerFleet fleet;
  private final Map<UUID, SasRuleBook.Snapshot> published = new ConcurrentHashMap<>();

  public RulePublisher(SecretBox secrets, BrokerFleet fleet) {
    this.secrets = secrets;
    this.fleet = fleet;
  }

  /** Publishes the cluster's rules if they changed; makes its broker secret the first time. */
  public void publish(Session s, Cluster cluster) {
    if (!cluster.sas()) {
      return;
    }
    if (cluster.sealedBrokerSecret() == null) {
      byte[] secret = new byte[32];
      RANDOM.nextBytes(secret);
      cluster.sealedBrokerSecret(secrets.seal(Base64.getEncoder().encodeToString(secret)));
    }
    List<SasRule> rules =
        s
            .createSelectionQuery(
                "from AuthorizationRule where clusterId = :c", AuthorizationRule.class)
            .setParameter("c", cluster.id())
            .getResultList()
            .stream()
            .map(
                r ->
                    new SasRule(
                        r.name(),
                        r.topicName(),
                        rights(r.rights()),
                        secrets.open(r.primaryKey()),
                        secrets.open(r.secondaryKey())))
            .toList();
    Set<String> revoked =
        s
            .createSelectionQuery(
                "from RevokedPublisher where clusterId = :c", RevokedPublisher.class)
            .setParameter("c", cluster.id())
            .getResultList()
            .stream()
            .map(p -> p.topicName() + "/" + p.publisher())
            .collect(java.util.stream.Collectors.toSet());
    SasRuleBook.Snapshot snapshot =
        SasRuleBook.of(rules, secrets.open(cluster.sealedBrokerSecret()))
            .withRevokedPublishers(revoked);
    if (!snapshot.equals(published.get(cluster.id()))) {
      fleet.publishRules(cluster.id(), snapshot, secrets.clusterRulesKey(cluster.id()));
      published.put(cluster.id(), snapshot);
    }
  }

  public void forget(UUID clusterId) {
    published.remove(clusterId);
  }

  private static Set<Right> rights(List<String> names) {
    Set<Right> rights = EnumSet.noneOf(Right.class);
    names.forEach(n -> rights.add(Right.valueOf(n.toUpperCase(Locale.ROOT))));
    return rights;
  }
}
