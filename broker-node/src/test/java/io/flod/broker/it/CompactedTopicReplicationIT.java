package io.flod.broker.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flod.broker.support.ClusterTest;
import io.flod.broker.support.TestCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Two brokers replicate a compacted topic. A key is deleted (a tombstone) while the follower is
 * down, and the leader compacts the deletion's segment before the follower returns. The leader
 * keeps the tombstone for delete.retention.ms, so the returning follower copies it and deletes the
 * key from its own log too: after a failover to that follower, the key stays deleted.
 */
class CompactedTopicReplicationIT extends ClusterTest {
  private static final String TOPIC = "profiles";
  private static final TopicPartition TP = new TopicPartition(TOPIC, 0);
  private static final String DELETED = "deleted-key";

  @Test
  void aKeyDeletedWhileAFollowerIsDownIsDeletedOnThatFollowerAfterItReturns() throws Exception {
    cluster =
        TestCluster.start(
            dir,
            "compaction-it",
            2,
            "log.cleaner.backoff.ms=200",
            "zookeeper.session.timeout.ms=4000",
            "replica.lag.time.max.ms=2000");
    cluster.createTopic(
        TOPIC,
        1,
        2,
        Map.of("cleanup.policy", "compact", "segment.bytes", "1024", "min.insync.replicas", "1"));
    int leader = cluster.describe(TOPIC, 0).leader().id();
    int follower = leader == 1 ? 2 : 1;

    try (KafkaProducer<String, String> producer = producer()) {
      producer.send(new ProducerRecord<>(TOPIC, DELETED, "alive")).get();
      writeOthers(producer, 0, 20); // acks=all with both in sync: the follower has them all

      cluster.broker(follower).kill();
      producer.send(new ProducerRecord<>(TOPIC, DELETED, null)).get();
      writeOthers(producer, 20, 80); // rolls several 1 KiB segments past the tombstone
    }
    Path leaderLog = cluster.dataDir(leader).resolve("logs/" + TOPIC + "-0");
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptions() // segment files are renamed under the reader
        .until(() -> !values(leaderLog, DELETED).contains("alive"));
    assertEquals(
        List.of("null"), values(leaderLog, DELETED), "the leader compacted but kept the tombstone");

    cluster.startBroker(follower);
    Path followerLog = cluster.dataDir(follower).resolve("logs/" + TOPIC + "-0");
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .until(
            () ->
                cluster.describe(TOPIC, 0).isr().size() == 2
                    && !values(followerLog, DELETED).contains("alive"));
    assertEquals(List.of("null"), values(followerLog, DELETED), "the follower deleted the key");

    // Fail over to the follower: readers of the whole topic never see the deleted key again.
    cluster.killLeaderAndAwaitAnother(TOPIC, 0);
    Map<String, String> state = readState(cluster.bootstrap());
    assertFalse(state.containsKey(DELETED), "the deleted key came back: " + state.get(DELETED));
    assertEquals(80, state.size(), "every other key is there");
  }

  private KafkaProducer<String, String> producer() {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
    return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
  }

  private static void writeOthers(KafkaProducer<String, String> producer, int from, int to)
      throws Exception {
    for (int i = from; i < to; i++) {
      producer.send(new ProducerRecord<>(TOPIC, "other-" + i, "v".repeat(100))).get();
    }
  }

  /** The values ("null" for a tombstone) of {@code key} in a replica's segment files, in order. */
  private static List<String> values(Path logDir, String key) throws Exception {
    List<String> values = new ArrayList<>();
    List<Path> segments;
    try (Stream<Path> files = Files.list(logDir)) {
      segments = files.filter(f -> f.toString().endsWith(".log")).sorted().toList();
    }
    for (Path segment : segments) {
      try (FileRecords records = FileRecords.open(segment.toFile(), false)) {
        for (RecordBatch batch : records.batches()) {
          for (Record record : batch) {
            if (record.hasKey() && key.equals(text(record.key()))) {
              values.add(record.hasValue() ? text(record.value()) : "null");
            }
          }
        }
      }
    }
    return values;
  }

  private static String text(java.nio.ByteBuffer bytes) {
    return StandardCharsets.UTF_8.decode(bytes.duplicate()).toString();
  }

  /** Reads the whole partition and applies it as a table: key → latest value, deletions removed. */
  private static Map<String, String> readState(String bootstrap) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    Map<String, String> state = new HashMap<>();
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
      consumer.assign(List.of(TP));
      consumer.seekToBeginning(List.of(TP));
      long end = consumer.endOffsets(List.of(TP), Duration.ofSeconds(30)).get(TP);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (consumer.position(TP, Duration.ofSeconds(30)) < end) {
        assertTrue(System.nanoTime() < deadline, "read the partition to its end in time");
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
          if (record.value() == null) {
            state.remove(record.key());
          } else {
            state.put(record.key(), record.value());
          }
        }
      }
    }
    return state;
  }
}
