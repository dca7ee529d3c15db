package io.flod.broker.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * The broker's meters: bytes and records in and out per topic, and request latency per API. Meters
 * are looked up once per topic and API and cached, so the produce and fetch paths only increment
 * counters. Exposed later by the node's HTTP endpoint.
 */
public final class BrokerMetrics {
  private final MeterRegistry registry;
  private final Map<String, TopicMeters> topics = new ConcurrentHashMap<>();
  private final Map<ApiKeys, Timer> requestTimers = new EnumMap<>(ApiKeys.class);

  private record TopicMeters(
      Counter bytesIn, Counter recordsIn, Counter bytesOut, Counter recordsOut) {}

  public BrokerMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (ApiKeys api : ApiKeys.values()) {
      requestTimers.put(
          api,
          Timer.builder("flod.broker.request.latency")
              .description("Time from a request's arrival to its response being ready")
              .tag("api", api.name)
              .publishPercentiles(0.5, 0.99)
              .register(registry));
    }
  }

  public MeterRegistry registry() {
    return registry;
  }

  public void recordRequest(ApiKeys api, long nanos) {
    requestTimers.get(api).record(Duration.ofNanos(nanos));
  }

  public void recordProduced(String topic, int bytes, int records) {
    TopicMeters meters = topic(topic);
    meters.bytesIn().increment(bytes);
    meters.recordsIn().increment(records);
  }

  public void recordFetched(String topic, int bytes, long records) {
    TopicMeters meters = topic(topic);
    meters.bytesOut().increment(bytes);
    meters.recordsOut().increment(records);
  }

  private TopicMeters topic(String topic) {
    return topics.computeIfAbsent(
        topic,
        t ->
            new TopicMeters(
                counter("flod.broker.topic.bytes.in", t),
                counter("flod.broker.topic.records.in", t),
                counter("flod.broker.topic.bytes.out", t),
                counter("flod.broker.topic.records.out", t)));
  }

  private Counter counter(String name, String topic) {
    return Counter.builder(name).tag("topic", topic).register(registry);
  }
}
