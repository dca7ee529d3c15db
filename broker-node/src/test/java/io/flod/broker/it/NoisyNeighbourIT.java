package io.flod.broker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flod.broker.support.ClientMetrics;
import io.flod.broker.support.TestCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two tenants' clusters on one machine, 1 throughput unit each: tenant B's producer runs flat out
 * and is throttled, while tenant A, sending well inside its quota at the same time, is never told
 * to wait and gets every event in.
 */
class NoisyNeighbourIT {
  private static final byte[] VALUE = new byte[100];
  @TempDir Path dir;

  @Test
  void aTenantFlatOutDoesNotThrottleItsNeighbour() throws Exception {
    try (TestCluster quiet =
            TestCluster.start(dir.resolve("a"), "tenant-a", 1, "throughput.units=1");
        TestCluster noisy =
            TestCluster.start(dir.resolve("b"), "tenant-b", 1, "throughput.units=1")) {
      quiet.createTopic("telemetry", 2, 1, Map.of());
      noisy.createTopic("telemetry", 2, 1, Map.of());
      AtomicBoolean flooding = new AtomicBoolean(true);
      KafkaProducer<byte[], byte[]> flood = producer(noisy.bootstrap());
      Thread floodThread =
          new Thread(
              () -> {
                while (flooding.get()) {
                  flood.send(new ProducerRecord<>("telemetry", VALUE));
                }
              },
              "tenant-b-flat-out");
      floodThread.start();
      int sent = 0;
      java.util.concurrent.atomic.AtomicInteger acked =
          new java.util.concurrent.atomic.AtomicInteger();
      double quietThrottle;
      try (KafkaProducer<byte[], byte[]> steady = producer(quiet.bootstrap())) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < end) {
          steady.send(
              new ProducerRecord<>("telemetry", VALUE),
              (metadata, e) -> {
                if (e == null) {
                  acked.incrementAndGet();
                }
              });
          sent++;
          Thread.sleep(5); // pacing tenant A at about 200 events/s, a fifth of its quota
        }
        steady.flush();
        quietThrottle = ClientMetrics.max(steady.metrics(), "produce-throttle-time-max");
      } finally {
        flooding.set(false);
        floodThread.join(30_000);
      }
      double noisyThrottle = ClientMetrics.max(flood.metrics(), "produce-throttle-time-max");
      flood.close(Duration.ofSeconds(1));
      System.out.printf(
          "MEASURED noisy neighbour: tenant A %d events in 10 s, max throttle %.0f ms;"
              + " tenant B flat out, max throttle %.0f ms%n",
          sent, quietThrottle, noisyThrottle);
      assertTrue(noisyThrottle > 0, "tenant B was over its quota and told to wait");
      assertEquals(0.0, quietThrottle, "tenant A was never told to wait");
      assertEquals(sent, acked.get(), "every event of tenant A was acknowledged");
      assertTrue(sent >= 1_500, "tenant A kept its pace of ~200 events/s: " + sent + " in 10 s");
    }
  }

  private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    props.put(ProducerConfig.ACKS_CONFIG, "1");
    props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 256 * 1024);
    return new KafkaProducer<>(props);
  }
}
