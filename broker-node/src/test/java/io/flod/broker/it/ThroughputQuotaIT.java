package io.flod.broker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flod.broker.support.ClientMetrics;
import io.flod.broker.support.ClusterTest;
import io.flod.broker.support.TestCluster;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Quota conformance with the unmodified Java producer running flat out against a one-broker cluster
 * at 1 throughput unit: over a minute the broker takes 1,000 events/s within 5 %, the producer is
 * told to wait (throttle_time_ms > 0), every record is still delivered, and a change to 2 units
 * published through ZooKeeper doubles the rate without a restart. A consumer flat out is then held
 * to the egress quota (4,096 events/s per unit) and told to wait, and the broker reports both in
 * its throttling record.
 */
class ThroughputQuotaIT extends ClusterTest {
  private static final byte[] VALUE = new byte[100];

  @Test
  void aProducerFlatOutIsHeldToItsThroughputUnitsAndLosesNothing() throws Exception {
    cluster = TestCluster.start(dir, "quota-it", 1, "throughput.units=1");
    cluster.createTopic("metered", 2, 1, Map.of());
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap());
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    props.put(ProducerConfig.ACKS_CONFIG, "1");
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 120_000);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 300_000);
    // A short queue in the client: flat out still, without minutes of backlog to drain at the end.
    props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 256 * 1024);
    AtomicLong acked = new AtomicLong();
    AtomicReference<Exception> failed = new AtomicReference<>();
    AtomicBoolean running = new AtomicBoolean(true);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
      Thread flatOut =
          new Thread(
              () -> {
                while (running.get()) {
                  producer.send(
                      new ProducerRecord<>("metered", VALUE),
                      (metadata, e) -> {
                        if (e != null) {
                          failed.compareAndSet(null, e);
                        } else {
                          acked.incrementAndGet();
                        }
                      });
                }
              },
              "flat-out-producer");
      flatOut.start();
      try {
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> acked.get() > 3_000);
        double oneUnit = rate(acked, Duration.ofSeconds(60));
        System.out.printf(
            "MEASURED ingress at 1 TU, producer flat out, 60 s: %.0f events/s (quota 1000, %+.1f%%)%n",
            oneUnit, (oneUnit / 1_000 - 1) * 100);
        assertTrue(Math.abs(oneUnit - 1_000) <= 50, oneUnit + " events/s");
        double throttle = ClientMetrics.max(producer.metrics(), "produce-throttle-time-max");
        assertTrue(throttle > 0, "the producer was told to wait: " + throttle);

        cluster.controller().settings().publishThroughputUnits(2);
        Awaitility.await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> rate(acked, Duration.ofSeconds(2)) > 1_500);
        double twoUnits = rate(acked, Duration.ofSeconds(15));
        System.out.printf("MEASURED ingress after a change to 2 TU: %.0f events/s%n", twoUnits);
        assertTrue(Math.abs(twoUnits - 2_000) <= 200, twoUnits + " events/s");
      } finally {
        running.set(false);
        flatOut.join(120_000);
      }
      producer.flush();
    }
    assertEquals(null, failed.get(), "no send failed");
    long stored = countRecords();
    assertEquals(acked.get(), stored, "every acknowledged record is in the log");

    // Egress at 2 TU: 4,096 events/s per unit (2 MB/s is far off for 100-byte events).
    Properties consumerProps = new Properties();
    consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap());
    consumerProps.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    consumerProps.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, "egress-meter");
    consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // Responses of ~1,000 events (an eighth of a second of quota), so that a window of seconds
    // measures the rate rather than how many 2 MB responses happened to fall in it.
    consumerProps.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 64 * 1024);
    AtomicLong consumed = new AtomicLong();
    AtomicBoolean reading = new AtomicBoolean(true);
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps)) {
      consumer.subscribe(java.util.List.of("metered"));
      Thread flatOut =
          new Thread(
              () -> {
                while (reading.get() && consumed.get() < stored) {
                  consumed.addAndGet(consumer.poll(Duration.ofMillis(100)).count());
                }
              },
              "flat-out-consumer");
      flatOut.start();
      try {
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> consumed.get() > 10_000);
        double egress = rate(consumed, Duration.ofSeconds(8));
        System.out.printf(
            "MEASURED egress at 2 TU, consumer flat out, 8 s: %.0f events/s (quota 8192, %+.1f%%)%n",
            egress, (egress / 8_192 - 1) * 100);
        assertTrue(Math.abs(egress - 8_192) <= 8_192 * 0.1, egress + " events/s");
      } finally {
        reading.set(false);
        flatOut.join(30_000);
      }
      double fetchThrottle = ClientMetrics.max(consumer.metrics(), "fetch-throttle-time-max");
      assertTrue(fetchThrottle > 0, "the consumer was told to wait: " + fetchThrottle);
    }

    // The broker reports what it throttled, for the control plane's throttling report.
    Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              var reported =
                  cluster.controller().throttling().readAll().getOrDefault(1, java.util.List.of());
              return reported.stream()
                      .anyMatch(
                          e ->
                              e.direction().equals("ingress")
                                  && e.topic().equals("metered")
                                  && e.peakEventsPerSecond() > 0)
                  && reported.stream()
                      .anyMatch(e -> e.direction().equals("egress") && e.topic().equals("metered"));
            });
  }

  private static double rate(AtomicLong counter, Duration window) throws InterruptedException {
    long startCount = counter.get();
    long start = System.nanoTime();
    // The measurement window itself: the counter is read at its two ends.
    Thread.sleep(window.toMillis());
    return (counter.get() - startCount) / ((System.nanoTime() - start) / 1e9);
  }

  private long countRecords() {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap());
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      var partitions =
          consumer.partitionsFor("metered").stream()
              .map(p -> new org.apache.kafka.common.TopicPartition("metered", p.partition()))
              .toList();
      return consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum()
          - consumer.beginningOffsets(partitions).values().stream()
              .mapToLong(Long::longValue)
              .sum();
    }
  }
}
