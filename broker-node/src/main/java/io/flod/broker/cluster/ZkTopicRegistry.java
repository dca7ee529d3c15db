package io.flod.broker.cluster;

import io.flod.broker.metadata.TopicMetadata;
import io.flod.broker.metadata.TopicRegistry;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.helix.AccessOption;
import org.apache.helix.HelixAdmin;
import org.apache.helix.HelixManager;
import org.apache.helix.model.IdealState;
import org.apache.helix.store.HelixPropertyStore;
import org.apache.helix.zookeeper.datamodel.ZNRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The topics of a Flod cluster, kept in ZooKeeper so that every broker sees the same ones: a record
 * per topic (id, partition count, replication factor, config overrides), a {@link PartitionState}
 * per partition (its placement from {@link ReplicaPlacer}), and a CUSTOMIZED Helix resource whose
 * mapping the {@link LeaderElector} fills in. Reads come from a cache refreshed when the cluster
 * changes and once a second.
 */
public final class ZkTopicRegistry implements TopicRegistry {
  private static final Logger log = LoggerFactory.getLogger(ZkTopicRegistry.class);

  private final String cluster;
  private final HelixPropertyStore<ZNRecord> store;
  private final HelixAdmin admin;
  private final HelixManager manager;
  private final PartitionStateStore states;
  private final Supplier<List<ReplicaPlacer.Node>> placeableNodes;
  private final Map<String, TopicMetadata> byName = new ConcurrentHashMap<>();
  private final Map<Uuid, TopicMetadata> byId = new ConcurrentHashMap<>();
  private volatile Consumer<TopicMetadata> onChange = topic -> {};

  public ZkTopicRegistry(
      String cluster, HelixManager manager, Supplier<List<ReplicaPlacer.Node>> placeableNodes) {
    this.cluster = cluster;
    this.manager = manager;
    this.store = manager.getHelixPropertyStore();
    this.admin = manager.getClusterManagmentTool();
    this.states = new PartitionStateStore(store);
    this.placeableNodes = placeableNodes;
  }

  /** Called with each topic whose record changed (for example its configs) on a refresh. */
  public void onChange(Consumer<TopicMetadata> listener) {
    this.onChange = listener;
  }

  /** Re-reads every topic record. */
  @Override
  public synchronized void refresh() {
    List<String> names = store.getChildNames(ClusterPaths.TOPICS, AccessOption.PERSISTENT);
    Map<String, TopicMetadata> fresh = new HashMap<>();
    if (names != null) {
      for (String name : names) {
        ZNRecord record = store.get(ClusterPaths.topicPath(name), null, AccessOption.PERSISTENT);
        if (record != null) {
          fresh.put(name, fromRecord(name, record));
        }
      }
    }
    for (TopicMetadata old : List.copyOf(byName.values())) {
      if (!fresh.containsKey(old.name())) {
        byName.remove(old.name());
        byId.remove(old.topicId());
      }
    }
    for (TopicMetadata topic : fresh.values()) {
      TopicMetadata previous = byName.put(topic.name(), topic);
      byId.put(topic.topicId(), topic);
      if (!topic.equals(previous)) { // new here too: a replica may be open with defaults
        onChange.accept(topic);
      }
    }
  }

  @Override
  public Optional<TopicMetadata> byName(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  @Override
  public Optional<TopicMetadata> byId(Uuid topicId) {
    return Optional.ofNullable(byId.get(topicId));
  }

  @Override
  public Collection<TopicMetadata> all() {
    return byName.values();
  }

  @Override
  public void create(TopicMetadata topic) {
    List<List<Integer>> placement =
        ReplicaPlacer.place(
            placeableNodes.get(),
            0,
            topic.partitionCount(),
            topic.replicationFactor(),
            topic.name().hashCode());
    if (!store.create(
        ClusterPaths.topicPath(topic.name()), toRecord(topic), AccessOption.PERSISTENT)) {
      throw new TopicExistsException("Topic '" + topic.name() + "' already exists.");
    }
    createPartitionStates(topic.name(), 0, placement);
    IdealState idealState = new IdealState(topic.name());
    idealState.setRebalanceMode(IdealState.RebalanceMode.CUSTOMIZED);
    idealState.setStateModelDefRef(ClusterPaths.STATE_MODEL);
    idealState.setNumPartitions(topic.partitionCount());
    idealState.setReplicas(Short.toString(topic.replicationFactor()));
    admin.addResource(cluster, topic.name(), idealState);
    log.info("cluster={} topic={} placed: {}", cluster, topic.name(), placement);
    cache(topic);
  }

  private void createPartitionStates(String topic, int first, List<List<Integer>> placement) {
    // Every replica of a new partition is in sync (all empty): as the incarnations registered now.
    java.util.Map<Integer, String> incarnations =
        BrokerRoster.read(manager.getHelixDataAccessor()).incarnations();
    for (int i = 0; i < placement.size(); i++) {
      List<Integer> replicas = placement.get(i);
      states.create(
          new PartitionState(
              new TopicPartition(topic, first + i),
              PartitionState.NO_LEADER,
              0,
              replicas,
              replicas,
              List.of(),
              List.of(),
              incarnations,
              0));
    }
  }

  @Override
  public void update(TopicMetadata topic) {
    TopicMetadata current =
        byName(topic.name())
            .orElseThrow(
                () ->
                    new UnknownTopicOrPartitionException(
                        "Topic '" + topic.name() + "' does not exist."));
    int added = topic.partitionCount() - current.partitionCount();
    if (added > 0) {
      createPartitionStates(
          topic.name(),
          current.partitionCount(),
          ReplicaPlacer.place(
              placeableNodes.get(),
              current.partitionCount(),
              added,
              topic.replicationFactor(),
              topic.name().hashCode()));
    }
    store.set(ClusterPaths.topicPath(topic.name()), toRecord(topic), AccessOption.PERSISTENT);
    if (added > 0) {
      String path = manager.getHelixDataAccessor().keyBuilder().idealStates(topic.name()).getPath();
      HelixRecords.updateExisting(
          manager,
          path,
          record ->
              record.setSimpleField(
                  IdealState.IdealStateProperty.NUM_PARTITIONS.name(),
                  Integer.toString(topic.partitionCount())));
    }
    cache(topic);
  }

  @Override
  public void delete(String name) {
    TopicMetadata topic = byName.remove(name);
    if (topic != null) {
      byId.remove(topic.topicId());
    }
    admin.dropResource(cluster, name);
    states.deleteTopic(name);
    store.remove(ClusterPaths.topicPath(name), AccessOption.PERSISTENT);
  }

  private void cache(TopicMetadata topic) {
    byName.put(topic.name(), topic);
    byId.put(topic.topicId(), topic);
  }

  private static ZNRecord toRecord(TopicMetadata topic) {
    ZNRecord record = new ZNRecord(topic.name());
    record.setSimpleField("id", topic.topicId().toString());
    record.setIntField("partitions", topic.partitionCount());
    record.setIntField("replicationFactor", topic.replicationFactor());
    record.setMapField("config", new HashMap<>(topic.configOverrides()));
    return record;
  }

  private static TopicMetadata fromRecord(String name, ZNRecord record) {
    Map<String, String> config = record.getMapField("config");
    return new TopicMetadata(
        name,
        Uuid.fromString(record.getSimpleField("id")),
        record.getIntField("partitions", 0),
        (short) record.getIntField("replicationFactor", 1),
        config == null ? Map.of() : config);
  }
}
