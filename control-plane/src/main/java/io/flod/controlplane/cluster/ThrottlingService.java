package io.flod.controlplane.cluster;

import io.flod.api.ThrottlingReport;
import io.flod.broker.quota.ThrottleLog;
import io.flod.controlplane.auth.Caller;
import io.flod.controlplane.db.Database;
import io.flod.controlplane.fleet.BrokerFleet;
import io.flod.controlplane.http.ApiException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The cluster's throttling report: what each broker reports it throttled (through ZooKeeper),
 * merged by partition and direction. Read on request; nothing is stored in the database.
 */
public final class ThrottlingService {
  private final Database db;
  private final BrokerFleet fleet;

  public ThrottlingService(Database db, BrokerFleet fleet) {
    this.db = db;
    this.fleet = fleet;
  }

  public ThrottlingReport report(Caller caller, String tenantName, String clusterName) {
    UUID clusterId =
        db.sessions()
            .fromSession(
                s -> ClusterService.visibleCluster(s, caller, tenantName, clusterName).id());
    Map<Integer, List<ThrottleLog.Entry>> byBroker;
    try {
      byBroker = fleet.throttling(clusterId);
    } catch (RuntimeException e) {
      throw new ApiException(
          ApiException.Kind.UNAVAILABLE,
          "The cluster's brokers cannot be reached for their throttling: " + e.getMessage());
    }
    return new ThrottlingReport(ThrottleLog.WINDOW_SECONDS, merge(byBroker));
  }

  /** One entry per direction and partition: the highest peaks, the brokers that reported it. */
  static List<ThrottlingReport.Entry> merge(Map<Integer, List<ThrottleLog.Entry>> byBroker) {
    Map<String, ThrottlingReport.Entry> merged = new LinkedHashMap<>();
    byBroker.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            broker -> {
              for (ThrottleLog.Entry e : broker.getValue()) {
                String key = e.direction() + "/" + e.topic() + "/" + e.partition();
                ThrottlingReport.Entry before = merged.get(key);
                List<Integer> brokers = new ArrayList<>();
                if (before != null) {
                  brokers.addAll(before.brokers());
                }
                brokers.add(broker.getKey());
                long last = e.lastThrottledAtMs();
                if (before != null) {
                  last = Math.max(last, Instant.parse(before.lastThrottledAt()).toEpochMilli());
                }
                merged.put(
                    key,
                    new ThrottlingReport.Entry(
                        e.direction(),
                        e.topic(),
                        e.partition(),
                        Math.max(
                            e.peakBytesPerSecond(),
                            before == null ? 0 : before.peakBytesPerSecond()),
                        Math.max(
                            e.peakEventsPerSecond(),
                            before == null ? 0 : before.peakEventsPerSecond()),
                        Math.max(
                            e.throttledSeconds(), before == null ? 0 : before.throttledSeconds()),
                        Instant.ofEpochMilli(last).toString(),
                        List.copyOf(brokers)));
              }
            });
    List<ThrottlingReport.Entry> entries = new ArrayList<>(merged.values());
    entries.sort(Comparator.comparingLong(ThrottlingReport.Entry::peakBytesPerSecond).reversed());
    return entries;
  }
}
