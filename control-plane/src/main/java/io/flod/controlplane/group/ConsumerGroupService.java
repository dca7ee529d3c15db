package io.flod.controlplane.group;

import io.flod.api.ConsumerGroupPatch;
import io.flod.api.ConsumerGroupSpec;
import io.flod.api.ConsumerGroupView;
import io.flod.controlplane.auth.Caller;
import io.flod.controlplane.cluster.Cluster;
import io.flod.controlplane.cluster.ClusterReconciler;
import io.flod.controlplane.cluster.ClusterService;
import io.flod.controlplane.db.Database;
import io.flod.controlplane.db.UniqueViolations;
import io.flod.controlplane.fleet.BrokerFleet;
import io.flod.controlplane.http.ApiException;
import io.flod.controlplane.topic.Topic;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hibernate.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumer groups of a topic, as Event Hubs has them: {@value #DEFAULT} always exists and cannot be
 * deleted; a topic holds at most {@value #MAX_GROUPS_PER_TOPIC} groups, {@value #DEFAULT} included
 * (Event Hubs Standard). The brokers enforce the same limit on the Kafka head.
 */
public final class ConsumerGroupService {
  public static final String DEFAULT = "$Default";
  public static final int MAX_GROUPS_PER_TOPIC = 20;
  private static final Logger log = LoggerFactory.getLogger(ConsumerGroupService.class);
  private final Database db;
  private final BrokerFleet fleet;
  private final Clock clock;

  public ConsumerGroupService(Database db, BrokerFleet fleet, Clock clock) {
    this.db = db;
    this.fleet = fleet;
    this.clock = clock;
  }

  /** Where a topic's groups live. */
  public record TopicRef(String tenant, String cluster, String topic) {}

  public ConsumerGroupView create(Caller caller, TopicRef ref, ConsumerGroupSpec request) {
    // Checked before validation, whose name pattern has no '$': the conflict is the useful answer.
    if (request != null && DEFAULT.equals(request.name())) {
      throw new ApiException(ApiException.Kind.CONFLICT, DEFAULT + " exists on every topic.");
    }
    ConsumerGroupSpec spec = io.flod.controlplane.http.Requests.valid(request);
    return UniqueViolations.retryOnce(
        "tenant="
            + ref.tenant()
            + " cluster="
            + ref.cluster()
            + " topic="
            + ref.topic()
            + " consumer group "
            + spec.name()
            + " create",
        () -> createOnce(caller, ref, spec));
  }

  private ConsumerGroupView createOnce(Caller caller, TopicRef ref, ConsumerGroupSpec spec) {
    return db.sessions()
        .fromTransaction(
            s -> {
              Cluster cluster = topicCluster(s, caller, ref);
              // The topic's row locked (SELECT ... FOR UPDATE) for the count and the insert:
              // concurrent creates of different names on one topic take turns, so none passes the
              // limit that each would have seen as not reached.
              s.createSelectionQuery("from Topic where clusterId = :c and name = :n", Topic.class)
                  .setParameter("c", cluster.id())
                  .setParameter("n", ref.topic())
                  .setHibernateLockMode(org.hibernate.LockMode.PESSIMISTIC_WRITE)
                  .uniqueResult();
              List<ConsumerGroupEntity> existing = stored(s, cluster, ref.topic());
              if (existing.stream().anyMatch(g -> g.name().equals(spec.name()))) {
                throw new ApiException(
                    ApiException.Kind.CONFLICT,
                    "Consumer group '" + spec.name() + "' already exists.");
              }
              if (existing.size() + 1 >= MAX_GROUPS_PER_TOPIC) {
                throw new ApiException(
                    ApiException.Kind.CONFLICT,
                    "Topic '"
                        + ref.topic()
                        + "' already has "
                        + MAX_GROUPS_PER_TOPIC
                        + " consumer groups ("
                        + DEFAULT
                        + " included), the most a topic may have.");
              }
              ConsumerGroupEntity group =
                  new ConsumerGroupEntity(
                      cluster.id(), ref.topic(), spec.name(), spec.userMetadata(), clock.instant());
              s.persist(group);
              log.info(
                  "tenant={} cluster={} topic={} consumer group {} created",
                  ref.tenant(),
                  ref.cluster(),
                  ref.topic(),
                  spec.name());
              return view(group);
            });
  }

  public List<ConsumerGroupView> list(Caller caller, TopicRef ref) {
    return withLag(
        db.sessions()
            .fromSession(
                s -> {
                  Cluster cluster = topicCluster(s, caller, ref);
                  List<ConsumerGroupView> groups = new ArrayList<>();
                  groups.add(new ConsumerGroupView(DEFAULT, null, null));
                  stored(s, cluster, ref.topic()).forEach(g -> groups.add(view(g)));
                  return new Stored(cluster.id(), bootstrap(s, cluster), groups);
                }),
        ref.topic());
  }

  /** Groups as stored, and where their cluster's brokers are (read in one session). */
  private record Stored(UUID clusterId, String bootstrap, List<ConsumerGroupView> groups) {}

  /** The groups with the lag the brokers report (left out when they cannot be asked). */
  private List<ConsumerGroupView> withLag(Stored stored, String topic) {
    if (stored.bootstrap() == null || stored.bootstrap().isEmpty()) {
      return stored.groups();
    }
    Map<String, Long> lag =
        fleet.lag(
            stored.clusterId(),
            stored.bootstrap(),
            topic,
            stored.groups().stream().map(ConsumerGroupView::name).toList());
    return stored.groups().stream()
        .map(g -> new ConsumerGroupView(g.name(), g.userMetadata(), lag.get(g.name())))
        .toList();
  }

  private String bootstrap(Session s, Cluster cluster) {
    if (cluster.deleting()) {
      return null;
    }
    try {
      return ClusterReconciler.liveBootstrap(s, cluster.id(), fleet);
    } catch (RuntimeException e) {
      log.debug("cluster={} brokers not observable: {}", cluster.id(), e.toString());
      return null;
    }
  }

  public ConsumerGroupView get(Caller caller, TopicRef ref, String name) {
    return withLag(
            db.sessions()
                .fromSession(
                    s -> {
                      Cluster cluster = topicCluster(s, caller, ref);
                      ConsumerGroupView group =
                          name.equals(DEFAULT)
                              ? new ConsumerGroupView(DEFAULT, null, null)
                              : view(require(s, cluster, ref, name));
                      return new Stored(cluster.id(), bootstrap(s, cluster), List.of(group));
                    }),
            ref.topic())
        .get(0);
  }

  public ConsumerGroupView describe(
      Caller caller, TopicRef ref, String name, ConsumerGroupPatch patch) {
    if (name.equals(DEFAULT)) {
      throw new ApiException(ApiException.Kind.CONFLICT, DEFAULT + " has no user metadata.");
    }
    String userMetadata = io.flod.controlplane.http.Requests.valid(patch).userMetadata();
    return db.sessions()
        .fromTransaction(
            s -> {
              ConsumerGroupEntity group = require(s, topicCluster(s, caller, ref), ref, name);
              group.describe(userMetadata);
              return view(group);
            });
  }

  public void delete(Caller caller, TopicRef ref, String name) {
    if (name.equals(DEFAULT)) {
      throw new ApiException(ApiException.Kind.CONFLICT, DEFAULT + " cannot be deleted.");
    }
    db.sessions()
        .inTransaction(
            s -> {
              s.remove(require(s, topicCluster(s, caller, ref), ref, name));
              log.info(
                  "tenant={} cluster={} topic={} consumer group {} deleted",
                  ref.tenant(),
                  ref.cluster(),
                  ref.topic(),
                  name);
            });
  }

  private static Cluster topicCluster(Session s, Caller caller, TopicRef ref) {
    Cluster cluster = ClusterService.visibleCluster(s, caller, ref.tenant(), ref.cluster());
    Topic topic =
        s.createSelectionQuery("from Topic where clusterId = :c and name = :n", Topic.class)
            .setParameter("c", cluster.id())
            .setParameter("n", ref.topic())
            .uniqueResult();
    if (topic == null) {
      throw ApiException.notFound("Topic '" + ref.topic() + "'");
    }
    return cluster;
  }

  private static List<ConsumerGroupEntity> stored(Session s, Cluster cluster, String topic) {
    return s.createSelectionQuery(
            "from ConsumerGroup where clusterId = :c and topicName = :t order by name",
            ConsumerGroupEntity.class)
        .setParameter("c", cluster.id())
        .setParameter("t", topic)
        .getResultList();
  }

  private static ConsumerGroupEntity require(
      Session s, Cluster cluster, TopicRef ref, String name) {
    return stored(s, cluster, ref.topic()).stream()
        .filter(g -> g.name().equals(name))
        .findFirst()
        .orElseThrow(() -> ApiException.notFound("Consumer group '" + name + "'"));
  }

  private static ConsumerGroupView view(ConsumerGroupEntity g) {
    return new ConsumerGroupView(g.name(), g.userMetadata(), null);
  }
}
