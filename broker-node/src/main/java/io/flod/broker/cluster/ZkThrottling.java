package io.flod.broker.cluster;

import io.flod.broker.quota.ThrottleLog;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.helix.AccessOption;
import org.apache.helix.store.HelixPropertyStore;
import org.apache.helix.zookeeper.datamodel.ZNRecord;

/**
 * Each broker's throttling in ZooKeeper, one record per broker under {@value
 * ClusterPaths#THROTTLING}, rewritten by the broker every few seconds while it changes and read by
 * the control plane for the cluster's throttling report.
 */
public final class ZkThrottling {
  private final HelixPropertyStore<ZNRecord> store;

  public ZkThrottling(HelixPropertyStore<ZNRecord> store) {
    this.store = store;
  }

  public void publish(int brokerId, List<ThrottleLog.Entry> entries) {
    ZNRecord record = new ZNRecord("throttling-" + brokerId);
    for (ThrottleLog.Entry e : entries) {
      Map<String, String> fields = new HashMap<>();
      fields.put("direction", e.direction());
      fields.put("topic", e.topic());
      fields.put("partition", Integer.toString(e.partition()));
      fields.put("peakBytesPerSecond", Long.toString(e.peakBytesPerSecond()));
      fields.put("peakEventsPerSecond", Long.toString(e.peakEventsPerSecond()));
      fields.put("throttledSeconds", Integer.toString(e.throttledSeconds()));
      fields.put("lastThrottledAtMs", Long.toString(e.lastThrottledAtMs()));
      record.setMapField(e.direction() + "/" + e.topic() + "/" + e.partition(), fields);
    }
    store.set(ClusterPaths.THROTTLING + "/" + brokerId, record, AccessOption.PERSISTENT);
  }

  /** Every broker's last report, by broker id. */
  public Map<Integer, List<ThrottleLog.Entry>> readAll() {
    Map<Integer, List<ThrottleLog.Entry>> reports = new HashMap<>();
    List<String> brokers = store.getChildNames(ClusterPaths.THROTTLING, AccessOption.PERSISTENT);
    if (brokers == null) {
      return reports;
    }
    for (String broker : brokers) {
      ZNRecord record =
          store.get(ClusterPaths.THROTTLING + "/" + broker, null, AccessOption.PERSISTENT);
      if (record == null) {
        continue;
      }
      List<ThrottleLog.Entry> entries = new ArrayList<>();
      for (Map<String, String> f : record.getMapFields().values()) {
        entries.add(
            new ThrottleLog.Entry(
                f.get("direction"),
                f.get("topic"),
                Integer.parseInt(f.get("partition")),
                Long.parseLong(f.get("peakBytesPerSecond")),
                Long.parseLong(f.get("peakEventsPerSecond")),
                Integer.parseInt(f.get("throttledSeconds")),
                Long.parseLong(f.get("lastThrottledAtMs"))));
      }
      reports.put(Integer.parseInt(broker), entries);
    }
    return reports;
  }
}
