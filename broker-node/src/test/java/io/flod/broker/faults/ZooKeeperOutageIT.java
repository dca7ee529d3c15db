package io.flod.broker.faults;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flod.broker.support.SteadyProducer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ZooKeeper cut off from every broker and the controller for 30 s (past every session timeout):
 * partitions whose ISR is stable keep taking acks=1 and acks=all writes all along, because nothing
 * on the produce and fetch path, nor the timers that complete them, waits on ZooKeeper. Afterwards
 * every acknowledged record reads back.
 */
class ZooKeeperOutageIT {
  @TempDir Path dir;

  @Test
  void produceAndFetchGoOnWhileZooKeeperIsUnreachable() throws Exception {
    try (FaultCluster cluster = FaultCluster.start(dir, "zk-outage-it", 3, false)) {
      cluster.createTopic("steady", 3, 3, Map.of("min.insync.replicas", "2"));
      SteadyProducer acksAll = SteadyProducer.start(cluster.bootstrap(), "steady", 3, 100, 300);
      try (KafkaProducer<String, String> acksOne = acksOne(cluster.bootstrap())) {
        acksAll.awaitMoreAcks(200, Duration.ofSeconds(60));
        // Clients already connected: each broker has answered Metadata for the topic once (a
        // broker learns a partition's state from ZooKeeper on first sight; without ZooKeeper it
        // answers "no leader" at once for a partition it never saw, HelixClusterViewTest).
        for (int p = 0; p < 3; p++) {
          acksOne
              .send(new ProducerRecord<>("steady", p, null, "warm-" + p))
              .get(30, TimeUnit.SECONDS);
        }

        cluster.partitionZooKeeperFromEveryone();
        long cutUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int slices = 0;
        while (System.nanoTime() < cutUntil) {
          // Every 5 s of the outage: more acks=all acknowledgements and an acks=1 write.
          acksAll.awaitMoreAcks(50, Duration.ofSeconds(5));
          acksOne
              .send(new ProducerRecord<>("steady", slices % 3, null, "acks1-" + slices))
              .get(5, TimeUnit.SECONDS);
          slices++;
        }
        cluster.healNetwork();
        assertTrue(slices >= 5, "only " + slices + " slices of the outage were checked");
        acksAll.awaitMoreAcks(200, Duration.ofSeconds(60));
      } finally {
        acksAll.close();
      }
      acksAll.assertEveryAckedRecordReadBack(cluster.bootstrap());
    }
  }

  private static KafkaProducer<String, String> acksOne(String bootstrap) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.ACKS_CONFIG, "1");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    return new KafkaProducer<>(props);
  }
}
