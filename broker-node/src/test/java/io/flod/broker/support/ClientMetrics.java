package io.flod.broker.support;

import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/** A Kafka client's own metrics, as a user would read them (for example throttle times). */
public final class ClientMetrics {
  private ClientMetrics() {}

  /** The largest value of the metric called {@code name} (0 when it has none yet). */
  public static double max(Map<MetricName, ? extends Metric> metrics, String name) {
    return metrics.entrySet().stream()
        .filter(e -> e.getKey().name().equals(name))
        .mapToDouble(e -> e.getValue().metricValue() instanceof Double d && !d.isNaN() ? d : 0)
        .max()
        .orElse(0);
  }
}
