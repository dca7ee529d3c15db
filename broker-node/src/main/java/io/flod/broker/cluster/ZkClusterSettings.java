package io.flod.broker.cluster;

import org.apache.helix.AccessOption;
import org.apache.helix.store.HelixPropertyStore;
import org.apache.helix.zookeeper.datamodel.ZNRecord;

/**
 * Settings of a cluster that its brokers apply without a restart, published by the control plane
 * and re-read by every broker about once a second: for now its throughput units.
 */
public final class ZkClusterSettings {
  private static final String THROUGHPUT_UNITS = "throughputUnits";
  private final HelixPropertyStore<ZNRecord> store;

  public ZkClusterSettings(HelixPropertyStore<ZNRecord> store) {
    this.store = store;
  }

  public void publishThroughputUnits(int units) {
    ZNRecord record = new ZNRecord("settings");
    record.setIntField(THROUGHPUT_UNITS, units);
    store.set(ClusterPaths.SETTINGS, record, AccessOption.PERSISTENT);
  }

  /** The published throughput units, or {@code fallback} when none were published. */
  public int throughputUnits(int fallback) {
    ZNRecord record = store.get(ClusterPaths.SETTINGS, null, AccessOption.PERSISTENT);
    return record == null ? fallback : record.getIntField(THROUGHPUT_UNITS, fallback);
  }
}
