package io.flod.broker.cluster;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.helix.AccessOption;
import org.apache.helix.store.HelixPropertyStore;
import org.apache.helix.zookeeper.datamodel.ZNRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.zookeeper.data.Stat;

/** Reads and compare-and-sets {@link PartitionState}s in the cluster's property store. */
public final class PartitionStateStore {
  private final HelixPropertyStore<ZNRecord> store;

  public PartitionStateStore(HelixPropertyStore<ZNRecord> store) {
    this.store = store;
  }

  public Optional<PartitionState> read(TopicPartition tp) {
    Stat stat = new Stat();
    ZNRecord record = store.get(ClusterPaths.partitionPath(tp), stat, AccessOption.PERSISTENT);
    if (record == null) {
      return Optional.empty();
    }
    return Optional.of(
        new PartitionState(
            tp,
            record.getIntField("leader", PartitionState.NO_LEADER),
            record.getIntField("leaderEpoch", 0),
            ints(record.getListField("replicas")),
            ints(record.getListField("isr")),
            ints(record.getListField("adding")),
            ints(record.getListField("removing")),
            incarnations(record.getMapField("incarnations")),
            stat.getVersion()));
  }

  /** Creates the state of a new partition; false if it exists already. */
  public boolean create(PartitionState state) {
    return store.create(
        ClusterPaths.partitionPath(state.topicPartition()),
        toRecord(state),
        AccessOption.PERSISTENT);
  }

  /**
   * Writes {@code updated} if the stored state is still at {@code updated.version()}; false if
   * someone changed it since it was read.
   */
  public boolean compareAndSet(PartitionState updated) {
    return store.set(
        ClusterPaths.partitionPath(updated.topicPartition()),
        toRecord(updated),
        updated.version(),
        AccessOption.PERSISTENT);
  }

  /** The leader's report of how many bytes each added replica still has to copy. */
  public void writeMoveProgress(TopicPartition tp, Map<Integer, Long> bytesRemaining) {
    ZNRecord record = new ZNRecord(ClusterPaths.helixPartition(tp));
    Map<String, String> fields = new HashMap<>();
    bytesRemaining.forEach((replica, bytes) -> fields.put(replica.toString(), bytes.toString()));
    record.setMapField("bytesRemaining", fields);
    record.setLongField("updatedMs", System.currentTimeMillis());
    store.set(ClusterPaths.movePath(tp), record, AccessOption.PERSISTENT);
  }

  /** Bytes remaining per added replica, as its leader last reported; empty if not reported. */
  public Map<Integer, Long> readMoveProgress(TopicPartition tp) {
    ZNRecord record = store.get(ClusterPaths.movePath(tp), null, AccessOption.PERSISTENT);
    Map<Integer, Long> out = new HashMap<>();
    if (record != null && record.getMapField("bytesRemaining") != null) {
      record
          .getMapField("bytesRemaining")
          .forEach((replica, bytes) -> out.put(Integer.parseInt(replica), Long.parseLong(bytes)));
    }
    return out;
  }

  public void deleteMoveProgress(TopicPartition tp) {
    store.remove(ClusterPaths.movePath(tp), AccessOption.PERSISTENT);
  }

  public void deleteTopic(String topic) {
    store.remove(ClusterPaths.partitionsPath(topic), AccessOption.PERSISTENT);
  }

  private static ZNRecord toRecord(PartitionState state) {
    ZNRecord record = new ZNRecord(ClusterPaths.helixPartition(state.topicPartition()));
    record.setIntField("leader", state.leader());
    record.setIntField("leaderEpoch", state.leaderEpoch());
    record.setListField("replicas", strings(state.replicas()));
    record.setListField("isr", strings(state.isr()));
    record.setListField("adding", strings(state.adding()));
    record.setListField("removing", strings(state.removing()));
    Map<String, String> incarnations = new HashMap<>();
    state.incarnations().forEach((replica, id) -> incarnations.put(replica.toString(), id));
    record.setMapField("incarnations", incarnations);
    return record;
  }

  private static Map<Integer, String> incarnations(Map<String, String> fields) {
    Map<Integer, String> out = new HashMap<>();
    if (fields != null) {
      fields.forEach((replica, id) -> out.put(Integer.parseInt(replica), id));
    }
    return out;
  }

  private static List<Integer> ints(List<String> values) {
    List<Integer> out = new ArrayList<>();
    if (values != null) {
      for (String value : values) {
        out.add(Integer.parseInt(value));
      }
    }
    return out;
  }

  private static List<String> strings(List<Integer> values) {
    List<String> out = new ArrayList<>(values.size());
    for (int value : values) {
      out.add(Integer.toString(value));
    }
    return out;
  }
}
