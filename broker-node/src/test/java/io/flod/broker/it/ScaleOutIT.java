package io.flod.broker.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flod.broker.cluster.PartitionMove;
import io.flod.broker.cluster.PartitionState;
import io.flod.broker.support.ClusterTest;
import io.flod.broker.support.SteadyProducer;
import io.flod.broker.support.TestCluster;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Scale-out and scale-in under load: three brokers in zones 1-3 hold a 6-partition RF=3 topic; a
 * fourth broker joins zone 1, so zone-correct placement lets it take replicas only from broker 1.
 * Replicas move onto it (throttled, with bytes-remaining progress reported) while an acks=all
 * producer keeps writing; then broker 1 is drained, gives everything to broker 4, and is stopped.
 * No acknowledged record may be lost on the way.
 */
class ScaleOutIT extends ClusterTest {
  private static final String TOPIC = "scale";
  private static final Map<Integer, String> ZONES =
      Map.of(1, "zone-1", 2, "zone-2", 3, "zone-3", 4, "zone-1");

  @Test
  void aJoiningBrokerReceivesReplicasAndADrainedOneGivesThemAllAway() throws Exception {
    cluster =
        TestCluster.start(
            dir,
            "scale-it",
            3,
            "zookeeper.session.timeout.ms=4000",
            "replica.lag.time.max.ms=3000",
            "replica.move.throttle.bytes.per.sec=1048576");
    cluster.createTopic(TOPIC, 6, 3, Map.of("min.insync.replicas", "2"));
    fill(2 * 1024 * 1024); // per partition, for the moves to copy under the throttle
    SteadyProducer producer = SteadyProducer.start(cluster.bootstrap(), TOPIC, 6, 200, 500);
    Map<String, Long> largestRemaining = new ConcurrentHashMap<>();
    AtomicLong progressReports = new AtomicLong();
    try {
      producer.awaitMoreAcks(500, Duration.ofSeconds(60));

      cluster.startBroker(4, ZONES.get(4));
      await()
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                for (PartitionMove move : cluster.controller().moves()) {
                  if (!move.bytesRemaining().isEmpty()) {
                    progressReports.incrementAndGet();
                    largestRemaining.merge(
                        move.topicPartition().toString(), move.totalBytesRemaining(), Math::max);
                  }
                }
                return replicasOn(4) == 3 && cluster.controller().moves().isEmpty();
              });
      assertTrue(progressReports.get() > 0, "no move reported its progress");
      assertTrue(
          largestRemaining.values().stream().anyMatch(bytes -> bytes > 0),
          "no move had bytes to copy: " + largestRemaining);
      assertZoneCorrect();
      assertEquals(6, replicasOn(1) + replicasOn(4), "broker 4 took only broker 1's replicas");
      producer.awaitMoreAcks(500, Duration.ofSeconds(30));

      cluster.controller().drain(1);
      await()
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> cluster.controller().isDrained(1));
      assertEquals(6, replicasOn(4));
      assertZoneCorrect();
      await()
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .until(() -> !Files.exists(cluster.dataDir(1).resolve("logs/scale-0")));
      assertEquals(143, cluster.broker(1).terminate(), "the drained broker stops through its hook");
      producer.awaitMoreAcks(500, Duration.ofSeconds(30));
      for (int p = 0; p < 6; p++) {
        int partition = p;
        await()
            .atMost(Duration.ofSeconds(30))
            .ignoreExceptions()
            .until(() -> cluster.describe(TOPIC, partition).isr().size() == 3);
      }
    } finally {
      producer.close();
    }
    producer.assertEveryAckedRecordReadBack(cluster.bootstrap());
  }

  /** Writes {@code bytes} of unique 1 KiB values into each partition, quickly. */
  private void fill(int bytes) throws Exception {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    String padding = "f".repeat(1000);
    try (KafkaProducer<String, String> filler = new KafkaProducer<>(props)) {
      for (int p = 0; p < 6; p++) {
        for (int i = 0; i < bytes / 1024; i++) {
          filler.send(new ProducerRecord<>(TOPIC, p, null, "fill-" + p + "-" + i + padding));
        }
      }
      filler.flush();
    }
  }

  private int replicasOn(int broker) {
    int count = 0;
    for (PartitionState state : cluster.controller().partitionStates()) {
      if (!state.moving() && state.replicas().contains(broker)) {
        count++;
      }
    }
    return count;
  }

  private void assertZoneCorrect() {
    List<PartitionState> states = cluster.controller().partitionStates();
    assertEquals(6, states.size());
    for (PartitionState state : states) {
      assertFalse(state.moving(), state.toString());
      Set<String> zones = new HashSet<>();
      state.replicas().forEach(r -> zones.add(ZONES.get(r)));
      assertEquals(3, zones.size(), "two replicas in one zone: " + state);
    }
  }
}
