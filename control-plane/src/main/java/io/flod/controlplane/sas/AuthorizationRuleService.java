package io.flod.controlplane.sas;

import io.flod.api.AuthorizationRuleKeys;
import io.flod.api.AuthorizationRuleSpec;
import io.flod.api.AuthorizationRuleView;
import io.flod.api.Problem.FieldError;
import io.flod.controlplane.auth.Caller;
import io.flod.controlplane.cluster.Cluster;
import io.flod.controlplane.cluster.ClusterService;
import io.flod.controlplane.db.Database;
import io.flod.controlplane.db.UniqueViolations;
import io.flod.controlplane.http.ApiException;
import io.flod.controlplane.http.Requests;
import io.flod.controlplane.topic.Topic;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.TreeSet;
import org.hibernate.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SAS authorization rules on a cluster (a namespace, in Event Hubs' terms) or on one topic. Keys
 * are 256 random bits, base64, as Event Hubs issues them; connection strings name the namespace as
 * {@code sb://<cluster>.<tenant>.flod/}. Brokers learn rules and keys in the Event Hubs issue.
 */
public final class AuthorizationRuleService {
  private static final Logger log = LoggerFactory.getLogger(AuthorizationRuleService.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  private final Database db;
  private final Clock clock;
  private final SecretBox secrets;

  public AuthorizationRuleService(Database db, Clock clock, SecretBox secrets) {
    this.db = db;
    this.clock = clock;
    this.secrets = secrets;
  }

  /** Where a rule lives: a cluster, or a topic of it ({@code topic} non-null). */
  public record Scope(String tenant, String cluster, String topic) {
    String label() {
      return topic == null ? "cluster" : "topics/" + topic;
    }
  }

  public AuthorizationRuleView create(Caller caller, Scope scope, AuthorizationRuleSpec spec) {
    requireCoherent(spec.rights());
    return UniqueViolations.retryOnce(
        "tenant="
            + scope.tenant()
            + " cluster="
            + scope.cluster()
            + " scope="
            + scope.label()
            + " authorization rule "
            + spec.name()
            + " create",
        () -> createOnce(caller, scope, spec));
  }

  private AuthorizationRuleView createOnce(Caller caller, Scope scope, AuthorizationRuleSpec spec) {
    return db.sessions()
        .fromTransaction(
            s -> {
              Cluster cluster = resolve(s, caller, scope);
              requireAuthentication(cluster, scope);
              if (find(s, cluster, scope, spec.name()) != null) {
                throw new ApiException(
                    ApiException.Kind.CONFLICT, "Rule '" + spec.name() + "' already exists here.");
              }
              AuthorizationRule rule =
                  new AuthorizationRule(
                      cluster.id(),
                      scope.topic(),
                      spec.name(),
                      List.copyOf(new TreeSet<>(spec.rights())),
                      secrets.seal(newKey()),
                      secrets.seal(newKey()),
                      clock.instant());
              s.persist(rule);
              s.flush();
              log.info(
                  "tenant={} cluster={} scope={} authorization rule {} created with rights {}",
                  scope.tenant(),
                  scope.cluster(),
                  scope.label(),
                  spec.name(),
                  rule.rights());
              return view(rule, scope);
            });
  }

  public List<AuthorizationRuleView> list(Caller caller, Scope scope) {
    return db.sessions()
        .fromSession(
            s -> {
              Cluster cluster = resolve(s, caller, scope);
              return query(s, cluster, scope, null).getResultList().stream()
                  .map(r -> view(r, scope))
                  .toList();
            });
  }

  public AuthorizationRuleView get(Caller caller, Scope scope, String name) {
    return db.sessions().fromSession(s -> view(require(s, caller, scope, name), scope));
  }

  public void delete(Caller caller, Scope scope, String name) {
    db.sessions()
        .inTransaction(
            s -> {
              s.remove(require(s, caller, scope, name));
              log.info(
                  "tenant={} cluster={} scope={} authorization rule {} deleted",
                  scope.tenant(),
                  scope.cluster(),
                  scope.label(),
                  name);
            });
  }

  /** New rights for a rule; its keys, and so the tokens clients hold, stay valid. */
  public AuthorizationRuleView grant(Caller caller, Scope scope, String name, List<String> rights) {
    requireCoherent(rights);
    return db.sessions()
        .fromTransaction(
            s -> {
              AuthorizationRule rule = require(s, caller, scope, name);
              rule.grant(List.copyOf(new TreeSet<>(rights)));
              s.flush();
              log.info(
                  "tenant={} cluster={} scope={} authorization rule {} now has rights {}",
                  scope.tenant(),
                  scope.cluster(),
                  scope.label(),
                  name,
                  rule.rights());
              return view(rule, scope);
            });
  }

  /**
   * A rule's keys are only good against brokers that check SAS: on a cluster made with {@code
   * authentication: None} they would hand out a connection string that no broker accepts (the
   * brokers speak plaintext and refuse SASL), so such a rule is refused rather than made.
   */
  private static void requireAuthentication(Cluster cluster, Scope scope) {
    if (!cluster.sas()) {
      throw new ApiException(
          ApiException.Kind.CONFLICT,
          "Cluster '"
              + scope.cluster()
              + "' has no authentication (authentication: "
              + cluster.authentication()
              + "): its brokers accept any client without credentials and no broker would accept"
              + " a SAS rule's connection string. Authentication is fixed at creation: create the"
              + " cluster with \"authentication\": \"SAS\" (the default) to use authorization"
              + " rules.");
    }
  }

  private static void requireCoherent(List<String> rights) {
    if (rights.contains("manage") && !(rights.contains("send") && rights.contains("listen"))) {
      throw new ApiException(
          ApiException.Kind.VALIDATION,
          "A rule with manage must also have send and listen.",
          List.of(new FieldError("rights", "manage requires send and listen")));
    }
  }

  public AuthorizationRuleKeys keys(Caller caller, Scope scope, String name) {
    return db.sessions().fromSession(s -> keys(require(s, caller, scope, name), scope));
  }

  /** Replaces one key; tokens signed with it stop working, those signed with the other do not. */
  public AuthorizationRuleKeys regenerate(Caller caller, Scope scope, String name, String keyType) {
    return db.sessions()
        .fromTransaction(
            s -> {
              AuthorizationRule rule = require(s, caller, scope, name);
              if (keyType.equals("PrimaryKey")) {
                rule.replacePrimaryKey(secrets.seal(newKey()));
              } else {
                rule.replaceSecondaryKey(secrets.seal(newKey()));
              }
              log.info(
                  "tenant={} cluster={} scope={} authorization rule {}: {} regenerated",
                  scope.tenant(),
                  scope.cluster(),
                  scope.label(),
                  name,
                  keyType);
              return keys(rule, scope);
            });
  }

  static Cluster resolve(Session s, Caller caller, Scope scope) {
    Cluster cluster = ClusterService.visibleCluster(s, caller, scope.tenant(), scope.cluster());
    if (scope.topic() != null) {
      Topic topic =
          s.createSelectionQuery("from Topic where clusterId = :c and name = :n", Topic.class)
              .setParameter("c", cluster.id())
              .setParameter("n", scope.topic())
              .uniqueResult();
      if (topic == null) {
        throw ApiException.notFound("Topic '" + scope.topic() + "'");
      }
    }
    return cluster;
  }

  private static org.hibernate.query.SelectionQuery<AuthorizationRule> query(
      Session s, Cluster cluster, Scope scope, String name) {
    String hql =
        "from AuthorizationRule where clusterId = :c and "
            + (scope.topic() == null ? "topicName is null" : "topicName = :t")
            + (name == null ? "" : " and name = :n")
            + " order by name";
    var query =
        s.createSelectionQuery(hql, AuthorizationRule.class).setParameter("c", cluster.id());
    if (scope.topic() != null) {
      query.setParameter("t", scope.topic());
    }
    if (name != null) {
      query.setParameter("n", name);
    }
    return query;
  }

  private static AuthorizationRule find(Session s, Cluster cluster, Scope scope, String name) {
    return query(s, cluster, scope, name).uniqueResult();
  }

  private static AuthorizationRule require(Session s, Caller caller, Scope scope, String name) {
    AuthorizationRule rule = find(s, resolve(s, caller, scope), scope, name);
    if (rule == null) {
      throw ApiException.notFound("Authorization rule '" + name + "'");
    }
    return rule;
  }

  private static String newKey() {
    byte[] key = new byte[32];
    RANDOM.nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }

  private static AuthorizationRuleView view(AuthorizationRule rule, Scope scope) {
    return new AuthorizationRuleView(
        rule.name(), scope.label(), rule.rights(), Requests.etag(rule.version()));
  }

  private AuthorizationRuleKeys keys(AuthorizationRule rule, Scope scope) {
    String primary = secrets.open(rule.primaryKey());
    String secondary = secrets.open(rule.secondaryKey());
    return new AuthorizationRuleKeys(
        rule.name(),
        primary,
        secondary,
        connectionString(scope, rule.name(), primary),
        connectionString(scope, rule.name(), secondary));
  }

  /** Event Hubs' connection-string format; EntityPath only for a topic-level rule. */
  static String connectionString(Scope scope, String keyName, String key) {
    return "Endpoint=sb://"
        + scope.cluster()
        + "."
        + scope.tenant()
        + ".flod/;SharedAccessKeyName="
        + keyName
        + ";SharedAccessKey="
        + key
        + (scope.topic() == null ? "" : ";EntityPath=" + scope.topic());
  }
}
