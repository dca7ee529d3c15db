package io.flod.broker.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flod.broker.cluster.PartitionState;
import io.flod.broker.support.ClusterTest;
import io.flod.broker.support.ReplicaLogs;
import io.flod.broker.support.SteadyProducer;
import io.flod.broker.support.TestCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * A broker back on an emptied data directory is a new incarnation of its replicas: it never leads
 * from the ISR entry of the replica that held the data. It rejoins as a follower and catches up;
 * and when every in-sync replica lost its data the partition stays offline until an operator
 * accepts the loss.
 */
class LostDiskIT extends ClusterTest {
  private static final String[] BROKER_CONFIGS = {
    "zookeeper.session.timeout.ms=4000",
    "replica.lag.time.max.ms=3000",
    "log.flush.offset.checkpoint.interval.ms=500",
    "offsets.topic.num.partitions=3"
  };

  @Test
  void aLeaderBackOnAWipedDiskFollowsCatchesUpAndNoConsumerSeesAnOffsetGoBack() throws Exception {
    cluster = TestCluster.start(dir, "wiped-it", 3, BROKER_CONFIGS);
    cluster.createTopic("wiped", 1, 3, Map.of("min.insync.replicas", "2"));
    TopicPartition tp = new TopicPartition("wiped", 0);
    SteadyProducer producer = SteadyProducer.start(cluster.bootstrap(), "wiped", 1);
    try (MonotonicReader reader = new MonotonicReader(cluster.bootstrap(), tp)) {
      producer.awaitMoreAcks(300, Duration.ofSeconds(30));
      int wiped = cluster.describe("wiped", 0).leader().id();
      cluster.broker(wiped).kill();
      wipe(cluster.dataDir(wiped).resolve("logs"));
      cluster.startBroker(wiped);

      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200))
          .ignoreExceptions()
          .until(
              () -> {
                TopicPartitionInfo info = cluster.describe("wiped", 0);
                return info.leader().id() != wiped && info.isr().size() == 3;
              });
      producer.awaitMoreAcks(300, Duration.ofSeconds(60));
      producer.close();
      Map<Long, String> read = producer.assertEveryAckedRecordReadBack(cluster.bootstrap()).get(tp);
      long end = producer.ackedEnd(tp);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> ReplicaLogs.batchesBelow(logDir(wiped, tp), end).size() > 0);
      List<String> onWiped = ReplicaLogs.batchesBelow(logDir(wiped, tp), end);
      for (int other = 1; other <= 3; other++) {
        assertEquals(
            ReplicaLogs.batchesBelow(logDir(other, tp), end),
            onWiped,
            "broker " + other + " and the wiped broker differ below offset " + end);
      }
      reader.awaitPosition(end, Duration.ofSeconds(30));
      assertNull(reader.anomaly(), reader.anomaly());
      assertTrue(read.size() >= 600);
    } finally {
      producer.close();
    }
  }

  @Test
  void whenEveryInSyncReplicaLostItsDataThePartitionStaysOfflineUntilTheLossIsAccepted()
      throws Exception {
    cluster = TestCluster.start(dir, "lost-it", 3, BROKER_CONFIGS);
    cluster.createTopic("lost", 1, 3, Map.of("min.insync.replicas", "1"));
    TopicPartition tp = new TopicPartition("lost", 0);
    int last = cluster.describe("lost", 0).leader().id();
    List<Integer> followers = new ArrayList<>(List.of(1, 2, 3));
    followers.remove(Integer.valueOf(last));
    Map<Long, String> acked = new TreeMap<>();
    try (KafkaProducer<String, String> producer = producer(cluster.bootstrap());
        KafkaConsumer<String, String> group = groupConsumer(cluster.bootstrap())) {
      send(producer, tp, "early", 50, acked);
      // Committed while all three are in sync; its __consumer_offsets partition then shrinks to
      // the broker whose disk dies, as the topic's does.
      group.commitSync(Map.of(tp, new OffsetAndMetadata(50)), Duration.ofSeconds(30));
      for (int follower : followers) {
        cluster.broker(follower).kill();
      }
      await()
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .until(() -> cluster.describe("lost", 0).isr().size() == 1);
      send(producer, tp, "late", 50, acked); // acknowledged by the last in-sync replica alone
    }
    int epochBefore = state(tp).leaderEpoch();
    cluster.broker(last).kill();
    wipe(cluster.dataDir(last).resolve("logs"));
    cluster.startBroker(last);
    for (int follower : followers) {
      cluster.startBroker(follower);
    }

    // Every broker is back, none holds what the ISR held: no leader, and it stays so.
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(() -> cluster.controller().eligibleBrokers().size() == 3);
    await()
        .during(Duration.ofSeconds(8))
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .until(() -> cluster.describe("lost", 0).leader() == null && !state(tp).hasLeader());
    String reason = cluster.controller().offlinePartitions().get(tp);
    assertTrue(
        reason != null && reason.contains("back without the data they held: [" + last + "]"),
        "offline with its reason: " + cluster.controller().offlinePartitions());
    // The group's committed offset was lost with that disk: asking for it is an error, never an
    // answer of "nothing committed" that would silently send the group back to the start.
    try (KafkaConsumer<String, String> group = groupConsumer(cluster.bootstrap())) {
      assertThrows(
          org.apache.kafka.common.errors.TimeoutException.class,
          () -> group.committed(java.util.Set.of(tp), Duration.ofSeconds(5)));
    }
    assertTrue(
        cluster.controller().offlinePartitions().keySet().stream()
            .anyMatch(p -> p.topic().equals("__consumer_offsets")),
        "__consumer_offsets is offline too: " + cluster.controller().offlinePartitions());
    try (KafkaProducer<String, String> producer = producer(cluster.bootstrap())) {
      ExecutionException refused =
          assertThrows(
              ExecutionException.class,
              () -> producer.send(new ProducerRecord<>("lost", 0, null, "x")).get());
      assertTrue(
          refused.getCause() instanceof org.apache.kafka.common.errors.TimeoutException,
          refused.getCause().toString());
    }

    PartitionState accepted = cluster.controller().acceptDataLoss(tp, "operator@test");
    assertTrue(accepted.leaderEpoch() > epochBefore);
    assertEquals(List.of(accepted.leader()), accepted.isr());
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(() -> cluster.describe("lost", 0).leader() != null);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> !cluster.controller().offlinePartitions().containsKey(tp));

    // It serves again from offset 0; what it returns agrees with what was acknowledged, and the
    // records only the lost replica held are not reported as present.
    Map<Long, String> read = readAll(cluster.bootstrap(), tp);
    for (Map.Entry<Long, String> e : read.entrySet()) {
      assertEquals(acked.get(e.getKey()), e.getValue(), "offset " + e.getKey());
    }
    assertTrue(read.values().stream().noneMatch(v -> v.startsWith("late")), read.toString());
    try (KafkaProducer<String, String> producer = producer(cluster.bootstrap())) {
      producer.send(new ProducerRecord<>("lost", 0, null, "after")).get(30, TimeUnit.SECONDS);
    }
  }

  private Path logDir(int broker, TopicPartition tp) {
    return cluster.dataDir(broker).resolve("logs").resolve(tp.topic() + "-" + tp.partition());
  }

  private PartitionState state(TopicPartition tp) {
    return cluster.controller().partitionStates().stream()
        .filter(s -> s.topicPartition().equals(tp))
        .findFirst()
        .orElseThrow();
  }

  private static void wipe(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private static KafkaProducer<String, String> producer(String bootstrap) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 6_000);
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 6_000);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    return new KafkaProducer<>(props);
  }

  private static void send(
      KafkaProducer<String, String> producer,
      TopicPartition tp,
      String prefix,
      int count,
      Map<Long, String> acked)
      throws Exception {
    for (int i = 0; i < count; i++) {
      String value = prefix + "-" + i;
      long offset =
          producer
              .send(new ProducerRecord<>(tp.topic(), tp.partition(), null, value))
              .get(30, TimeUnit.SECONDS)
              .offset();
      acked.put(offset, value);
    }
  }

  private static Map<Long, String> readAll(String bootstrap, TopicPartition tp) {
    Map<Long, String> read = new TreeMap<>();
    try (KafkaConsumer<String, String> consumer = consumer(bootstrap)) {
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long end = consumer.endOffsets(List.of(tp)).get(tp);
      long deadline = System.currentTimeMillis() + 30_000;
      while (consumer.position(tp) < end && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
          read.put(record.offset(), record.value());
        }
      }
    }
    return read;
  }

  private static KafkaConsumer<String, String> groupConsumer(String bootstrap) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "lost-group");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
    return new KafkaConsumer<>(props);
  }

  private static KafkaConsumer<String, String> consumer(String bootstrap) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
    return new KafkaConsumer<>(props);
  }

  /**
   * Reads a partition from the start for the whole test and records the first anomaly: an offset at
   * or below one already read (offsets going back), or an offset read again with another value.
   */
  private static final class MonotonicReader implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicReference<String> anomaly = new AtomicReference<>();
    private volatile long position;
    private final Thread thread;

    MonotonicReader(String bootstrap, TopicPartition tp) {
      thread =
          new Thread(
              () -> {
                Map<Long, String> seen = new TreeMap<>();
                long last = -1;
                try (KafkaConsumer<String, String> consumer = consumer(bootstrap)) {
                  consumer.assign(List.of(tp));
                  consumer.seekToBeginning(List.of(tp));
                  while (running.get()) {
                    try {
                      for (ConsumerRecord<String, String> r :
                          consumer.poll(Duration.ofMillis(200))) {
                        String before = seen.put(r.offset(), r.value());
                        if (before != null && !before.equals(r.value())) {
                          anomaly.compareAndSet(
                              null, "offset " + r.offset() + " read as " + before + " then " + r);
                        } else if (r.offset() <= last) {
                          anomaly.compareAndSet(
                              null, "offset went back from " + last + " to " + r.offset());
                        }
                        last = Math.max(last, r.offset());
                      }
                      position = consumer.position(tp);
                    } catch (org.apache.kafka.clients.consumer.OffsetOutOfRangeException e) {
                      anomaly.compareAndSet(null, "position " + position + " out of range: " + e);
                      return;
                    } catch (RuntimeException e) {
                      // a broker being killed: the client retries on the next poll
                    }
                  }
                }
              },
              "monotonic-reader");
      thread.start();
    }

    void awaitPosition(long end, Duration atMost) {
      await().atMost(atMost).until(() -> position >= end);
    }

    String anomaly() {
      return anomaly.get();
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      thread.join(10_000);
    }
  }
}
