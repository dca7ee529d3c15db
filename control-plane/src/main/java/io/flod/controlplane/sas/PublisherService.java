package io.flod.controlplane.sas;

import io.flod.api.Problem.FieldError;
import io.flod.api.PublisherView;
import io.flod.controlplane.auth.Caller;
import io.flod.controlplane.cluster.Cluster;
import io.flod.controlplane.db.Database;
import io.flod.controlplane.db.UniqueViolations;
import io.flod.controlplane.http.ApiException;
import java.time.Clock;
import java.util.List;
import org.hibernate.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Revoking and restoring a topic's publishers. The reconciler publishes the revoked set with the
 * SAS rules, so the brokers refuse a revoked publisher's sends within a pass or two.
 */
public final class PublisherService {
  private static final Logger log = LoggerFactory.getLogger(PublisherService.class);
  private final Database db;
  private final Clock clock;

  public PublisherService(Database db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  public List<PublisherView> revoked(Caller caller, AuthorizationRuleService.Scope topic) {
    return db.sessions()
        .fromSession(
            s ->
                stored(s, AuthorizationRuleService.resolve(s, caller, topic), topic).stream()
                    .map(PublisherService::view)
                    .toList());
  }

  public PublisherView revoke(
      Caller caller, AuthorizationRuleService.Scope topic, String publisher) {
    requireName(publisher);
    // Revoking twice at once is revoking once: the second run sees the first's row.
    return UniqueViolations.retryOnce(
        "tenant="
            + topic.tenant()
            + " cluster="
            + topic.cluster()
            + " topic="
            + topic.topic()
            + " publisher "
            + publisher
            + " revoke",
        () -> revokeOnce(caller, topic, publisher));
  }

  private PublisherView revokeOnce(
      Caller caller, AuthorizationRuleService.Scope topic, String publisher) {
    return db.sessions()
        .fromTransaction(
            s -> {
              Cluster cluster = AuthorizationRuleService.resolve(s, caller, topic);
              RevokedPublisher existing = find(s, cluster, topic, publisher);
              if (existing != null) {
                return view(existing);
              }
              RevokedPublisher revoked =
                  new RevokedPublisher(
                      cluster.id(),
                      topic.topic(),
                      publisher,
                      // as PostgreSQL keeps it, so every later read shows the same instant
                      clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MICROS));
              s.persist(revoked);
              log.info(
                  "tenant={} cluster={} topic={} publisher {} revoked",
                  topic.tenant(),
                  topic.cluster(),
                  topic.topic(),
                  publisher);
              return view(revoked);
            });
  }

  public PublisherView restore(
      Caller caller, AuthorizationRuleService.Scope topic, String publisher) {
    requireName(publisher);
    return db.sessions()
        .fromTransaction(
            s -> {
              Cluster cluster = AuthorizationRuleService.resolve(s, caller, topic);
              RevokedPublisher existing = find(s, cluster, topic, publisher);
              if (existing != null) {
                s.remove(existing);
                log.info(
                    "tenant={} cluster={} topic={} publisher {} restored",
                    topic.tenant(),
                    topic.cluster(),
                    topic.topic(),
                    publisher);
              }
              return new PublisherView(publisher, false, null);
            });
  }

  private static void requireName(String publisher) {
    if (publisher == null || !publisher.matches("[A-Za-z0-9._-]{1,128}")) {
      throw new ApiException(
          ApiException.Kind.VALIDATION,
          "A publisher name is 1-128 letters, digits, '.', '_' or '-'.",
          List.of(new FieldError("name", "1-128 of A-Za-z0-9._-")));
    }
  }

  private static List<RevokedPublisher> stored(
      Session s, Cluster cluster, AuthorizationRuleService.Scope topic) {
    return s.createSelectionQuery(
            "from RevokedPublisher where clusterId = :c and topicName = :t order by publisher",
            RevokedPublisher.class)
        .setParameter("c", cluster.id())
        .setParameter("t", topic.topic())
        .getResultList();
  }

  private static RevokedPublisher find(
      Session s, Cluster cluster, AuthorizationRuleService.Scope topic, String publisher) {
    return stored(s, cluster, topic).stream()
        .filter(p -> p.publisher().equals(publisher))
        .findFirst()
        .orElse(null);
  }

  private static PublisherView view(RevokedPublisher p) {
    return new PublisherView(p.publisher(), true, p.revokedAt().toString());
  }
}
