package io.flod.api;

import java.util.List;

/**
 * {@code GET .../clusters/{c}/throttling}: the partitions whose traffic the brokers throttled
 * (Kafka head) or refused with 429 (HTTPS head) in the last {@code windowSeconds}, busiest first.
 */
public record ThrottlingReport(int windowSeconds, List<Entry> entries) {
  /**
   * One partition and direction.
   *
   * @param direction {@code ingress} (produce, HTTPS publish) or {@code egress} (consumer fetch)
   * @param partition -1 for HTTPS publishes refused before a partition was chosen
   * @param peakBytesPerSecond the most bytes it carried in one throttled second
   * @param peakEventsPerSecond the most events it carried in one throttled second
   * @param throttledSeconds seconds of the window in which it was throttled (on its busiest broker)
   * @param brokers the brokers that throttled it
   */
  public record Entry(
      String direction,
      String topic,
      int partition,
      long peakBytesPerSecond,
      long peakEventsPerSecond,
      int throttledSeconds,
      String lastThrottledAt,
      List<Integer> brokers) {}
}
