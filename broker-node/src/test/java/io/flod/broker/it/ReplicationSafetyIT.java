package io.flod.broker.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flod.broker.cluster.PartitionState;
import io.flod.broker.support.ClusterTest;
import io.flod.broker.support.RawKafkaClient;
import io.flod.broker.support.ReplicaLogs;
import io.flod.broker.support.SteadyProducer;
import io.flod.broker.support.TestCluster;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.NotEnoughReplicasAfterAppendException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The failure cases the replication invariants exist for, each on its own three-broker cluster
 * (separate JVMs, embedded ZooKeeper, in-process controller): a paused leader that wakes up after
 * its successor was elected, the last in-sync replica dying, a rolling restart under load, and
 * replication requests that must be refused.
 */
class ReplicationSafetyIT extends ClusterTest {
  private static final String[] BROKER_CONFIGS = {
    "zookeeper.session.timeout.ms=4000", "replica.lag.time.max.ms=3000"
  };

  @Test
  void aPausedLeaderAcknowledgesNothingAfterItsSuccessorIsElectedAndStepsDown() throws Exception {
    cluster = TestCluster.start(dir, "zombie-it", 3, BROKER_CONFIGS);
    cluster.createTopic("zombie", 1, 3, Map.of("min.insync.replicas", "2"));
    TopicPartition tp = new TopicPartition("zombie", 0);
    int oldLeader = cluster.describe("zombie", 0).leader().id();
    SteadyProducer producer = SteadyProducer.start(cluster.bootstrap(), "zombie", 1);
    try (RawKafkaClient toOldLeader =
        new RawKafkaClient(cluster.broker(oldLeader).bootstrapServers())) {
      producer.awaitMoreAcks(200, Duration.ofSeconds(30));
      cluster.broker(oldLeader).pause();
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(200))
          .ignoreExceptions()
          .until(
              () -> {
                TopicPartitionInfo info = cluster.describe("zombie", 0, oldLeader);
                return info.leader() != null && info.leader().id() != oldLeader;
              });
      producer.awaitMoreAcks(200, Duration.ofSeconds(60));

      // A produce reaches the old leader while it is frozen; it reads it when it wakes up.
      CompletableFuture<ProduceResponse> zombieWrite =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return toOldLeader.send(produce(tp, (short) -1, -1, "zombie-write"));
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      cluster.broker(oldLeader).resume();
      ProduceResponse response = zombieWrite.get(60, TimeUnit.SECONDS);
      Errors error =
          Errors.forCode(
              response
                  .data()
                  .responses()
                  .iterator()
                  .next()
                  .partitionResponses()
                  .get(0)
                  .errorCode());
      assertNotEquals(Errors.NONE, error, "the deposed leader acknowledged a write");

      // It steps down, truncates what it wrote alone, and rejoins the ISR as a follower.
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200))
          .ignoreExceptions()
          .until(
              () -> {
                TopicPartitionInfo info = cluster.describe("zombie", 0);
                return info.isr().size() == 3 && info.leader().id() != oldLeader;
              });
      producer.awaitMoreAcks(200, Duration.ofSeconds(30));
    } finally {
      producer.close();
    }
    Map<Long, String> read = producer.assertEveryAckedRecordReadBack(cluster.bootstrap()).get(tp);
    assertTrue(
        read.values().stream().noneMatch(v -> v.startsWith("zombie-write")),
        "the deposed leader's write became visible");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              long end = producer.ackedEnd(tp);
              List<String> first =
                  ReplicaLogs.batchesBelow(cluster.dataDir(1).resolve("logs/zombie-0"), end);
              return first.equals(
                      ReplicaLogs.batchesBelow(cluster.dataDir(2).resolve("logs/zombie-0"), end))
                  && first.equals(
                      ReplicaLogs.batchesBelow(cluster.dataDir(3).resolve("logs/zombie-0"), end));
            });
  }

  @Test
  void withTheLastInSyncReplicaDeadThePartitionStaysLeaderlessUntilItReturns() throws Exception {
    cluster = TestCluster.start(dir, "last-it", 3, BROKER_CONFIGS);
    cluster.createTopic("last", 1, 3, Map.of("min.insync.replicas", "2"));
    TopicPartition tp = new TopicPartition("last", 0);
    TopicPartitionInfo info = cluster.describe("last", 0);
    int leader = info.leader().id();
    List<Integer> followers = new ArrayList<>();
    info.replicas().forEach(n -> followers.add(n.id()));
    followers.remove(Integer.valueOf(leader));

    Map<Long, String> acked = new HashMap<>();
    write(tp, "all", "before-", 50, acked);
    cluster.broker(followers.get(0)).kill();
    awaitIsrSize(tp, 2);
    write(tp, "all", "two-in-sync-", 50, acked);
    cluster.broker(followers.get(1)).kill();
    awaitIsrSize(tp, 1);
    ExecutionException refused =
        assertThrows(ExecutionException.class, () -> write(tp, "all", "refused-", 1, acked));
    // Refused before the append, or after it if the leader had not yet seen the ISR shrink: either
    // way not acknowledged.
    assertTrue(
        refused.getCause() instanceof NotEnoughReplicasException
            || refused.getCause() instanceof NotEnoughReplicasAfterAppendException,
        refused.getCause().toString());
    write(tp, "1", "leader-only-", 50, acked); // only the leader has these

    cluster.broker(leader).kill();
    cluster.startBroker(followers.get(0));
    cluster.startBroker(followers.get(1));
    // Two live replicas, neither in sync: with unclean election off, nobody may lead.
    await()
        .during(Duration.ofSeconds(8))
        .atMost(Duration.ofSeconds(15))
        .until(() -> !state(tp).hasLeader() && state(tp).isr().equals(List.of(leader)));

    cluster.startBroker(leader);
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> state(tp).leader() == leader && state(tp).isr().size() == 3);
    Map<Long, String> read =
        readAll(tp, acked.keySet().stream().mapToLong(o -> o).max().orElseThrow() + 1);
    for (Map.Entry<Long, String> e : acked.entrySet()) {
      assertEquals(e.getValue(), read.get(e.getKey()), "acknowledged record at " + e.getKey());
    }
  }

  @Test
  void aRollingRestartUnderLoadLosesNothingAndConsumersSeeNoGap() throws Exception {
    cluster = TestCluster.start(dir, "rolling-it", 3, BROKER_CONFIGS);
    cluster.createTopic("rolling", 3, 3, Map.of("min.insync.replicas", "2"));
    SteadyProducer producer = SteadyProducer.start(cluster.bootstrap(), "rolling", 3, 100, 1_000);
    GapWatcher watcher = new GapWatcher(cluster.bootstrap(), "rolling", 3);
    try {
      producer.awaitMoreAcks(500, Duration.ofSeconds(30));
      for (int id = 1; id <= 3; id++) {
        cluster.broker(id).terminate();
        producer.awaitMoreAcks(300, Duration.ofSeconds(30));
        cluster.startBroker(id);
        for (int p = 0; p < 3; p++) {
          int partition = p;
          await()
              .atMost(Duration.ofSeconds(60))
              .pollInterval(Duration.ofMillis(200))
              .ignoreExceptions()
              .until(() -> cluster.describe("rolling", partition).isr().size() == 3);
        }
        producer.awaitMoreAcks(300, Duration.ofSeconds(30));
      }
    } finally {
      producer.close();
    }
    producer.assertEveryAckedRecordReadBack(cluster.bootstrap());
    for (int p = 0; p < 3; p++) {
      TopicPartition tp = new TopicPartition("rolling", p);
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> watcher.position(tp) >= producer.ackedEnd(tp) || watcher.error() != null);
    }
    watcher.close();
    assertEquals(null, watcher.error(), "the consumer failed");
    assertEquals(0, watcher.gaps(), "the consumer saw offsets skipped");
  }

  @Test
  void replicationRequestsThatMustNotBeServedAreRefused() throws Exception {
    cluster = TestCluster.start(dir, "refuse-it", 3, BROKER_CONFIGS);
    cluster.createTopic("refuse", 1, 3, Map.of("min.insync.replicas", "2"));
    TopicPartition tp = new TopicPartition("refuse", 0);
    write(tp, "all", "v-", 10, new HashMap<>());
    // One failover first, so that the partition's epoch is at least 2 and a stale epoch is >= 1:
    // batches at epoch 0 or -1 are clients that do not name an epoch (librdkafka, the Java client).
    int first = cluster.describe("refuse", 0).leader().id();
    cluster.broker(first).kill();
    await()
        .atMost(Duration.ofSeconds(60))
        .ignoreExceptions()
        .until(
            () -> {
              var now = cluster.describe("refuse", 0, first).leader();
              return now != null && now.id() != first;
            });
    cluster.startBroker(first);
    await()
        .atMost(Duration.ofSeconds(60))
        .ignoreExceptions()
        .until(() -> cluster.describe("refuse", 0).isr().size() == 3);
    TopicPartitionInfo info = cluster.describe("refuse", 0);
    int leader = info.leader().id();
    int follower =
        info.replicas().stream()
            .mapToInt(n -> n.id())
            .filter(id -> id != leader)
            .findFirst()
            .orElseThrow();
    try (RawKafkaClient raw = new RawKafkaClient(cluster.broker(leader).bootstrapServers())) {
      assertEquals(
          Errors.NOT_LEADER_OR_FOLLOWER, replicaFetch(raw, tp, 99, 0), "unknown replica id");
      assertEquals(
          Errors.OFFSET_OUT_OF_RANGE,
          replicaFetch(raw, tp, follower, 1_000_000),
          "beyond the leader's log");

      int epoch = state(tp).leaderEpoch();
      assertTrue(epoch >= 2, "epoch " + epoch);
      ProduceResponse stale = raw.send(produce(tp, (short) -1, epoch - 1, "stale"));
      assertEquals(
          Errors.FENCED_LEADER_EPOCH,
          Errors.forCode(
              stale.data().responses().iterator().next().partitionResponses().get(0).errorCode()));
      ProduceResponse current = raw.send(produce(tp, (short) -1, epoch, "current"));
      assertEquals(
          Errors.NONE,
          Errors.forCode(
              current.data().responses().iterator().next().partitionResponses().get(0).errorCode()),
          "a batch at the current epoch is accepted");
    }
    try (RawKafkaClient raw = new RawKafkaClient(cluster.broker(follower).bootstrapServers())) {
      assertEquals(
          Errors.NOT_LEADER_OR_FOLLOWER,
          replicaFetch(raw, tp, leader, 0),
          "a follower serves no replica fetch");
    }
  }

  private PartitionState state(TopicPartition tp) {
    return cluster.controller().partitionStates().stream()
        .filter(s -> s.topicPartition().equals(tp))
        .findFirst()
        .orElseThrow();
  }

  private void awaitIsrSize(TopicPartition tp, int size) {
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> state(tp).isr().size() == size);
  }

  /** Writes {@code count} records with the given acks, synchronously, recording their offsets. */
  private void write(
      TopicPartition tp, String acks, String prefix, int count, Map<Long, String> acked)
      throws Exception {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap());
    props.put(ProducerConfig.ACKS_CONFIG, acks);
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
    props.put(ProducerConfig.RETRIES_CONFIG, 0);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
      for (int i = 0; i < count; i++) {
        String value = prefix + i;
        long offset =
            producer
                .send(new ProducerRecord<>(tp.topic(), tp.partition(), null, value))
                .get()
                .offset();
        acked.put(offset, value);
      }
    }
  }

  private Map<Long, String> readAll(TopicPartition tp, long end) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap());
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    Map<Long, String> read = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long deadline = System.currentTimeMillis() + 60_000;
      while (consumer.position(tp) < end) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          read.put(record.offset(), new String(record.value(), StandardCharsets.UTF_8));
        }
        assertTrue(
            System.currentTimeMillis() < deadline, "consumer stuck at " + consumer.position(tp));
      }
    }
    return read;
  }

  private static ProduceRequest produce(
      TopicPartition tp, short acks, int batchEpoch, String value) {
    MemoryRecords records =
        MemoryRecords.withRecords(
            Compression.NONE, batchEpoch, new SimpleRecord(value.getBytes(StandardCharsets.UTF_8)));
    ProduceRequestData data = new ProduceRequestData().setAcks(acks).setTimeoutMs(10_000);
    ProduceRequestData.TopicProduceData topic =
        new ProduceRequestData.TopicProduceData().setName(tp.topic());
    topic
        .partitionData()
        .add(
            new ProduceRequestData.PartitionProduceData()
                .setIndex(tp.partition())
                .setRecords(records));
    data.topicData().add(topic);
    return new ProduceRequest.Builder((short) 9, (short) 9, data).build((short) 9);
  }

  private static Errors replicaFetch(
      RawKafkaClient raw, TopicPartition tp, int replicaId, long offset) throws Exception {
    Map<TopicPartition, FetchRequest.PartitionData> wanted =
        Map.of(
            tp,
            new FetchRequest.PartitionData(
                Uuid.ZERO_UUID, offset, 0, 1 << 20, Optional.empty(), Optional.empty()));
    FetchResponse response =
        raw.send(
            FetchRequest.Builder.forReplica((short) 12, replicaId, -1, 0, 1, wanted)
                .build((short) 12));
    return Errors.forCode(response.data().responses().get(0).partitions().get(0).errorCode());
  }

  /**
   * A consumer reading every partition from the start, throughout, counting offsets it skipped;
   * with {@code auto.offset.reset=none} an out-of-range position is an error, not a silent jump.
   */
  private static final class GapWatcher implements AutoCloseable {
    private final Map<TopicPartition, AtomicLong> positions =
        new java.util.concurrent.ConcurrentHashMap<>();
    private final AtomicLong gaps = new AtomicLong();
    private final AtomicReference<Exception> error = new AtomicReference<>();
    private volatile boolean running = true;
    private final Thread thread;

    GapWatcher(String bootstrap, String topic, int partitions) {
      Properties props = new Properties();
      props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
      props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
      props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
      List<TopicPartition> tps = new ArrayList<>();
      for (int p = 0; p < partitions; p++) {
        TopicPartition tp = new TopicPartition(topic, p);
        tps.add(tp);
        positions.put(tp, new AtomicLong());
      }
      thread =
          new Thread(
              () -> {
                try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
                  consumer.assign(tps);
                  tps.forEach(tp -> consumer.seek(tp, 0));
                  while (running) {
                    for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(100))) {
                      TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                      AtomicLong next = positions.get(tp);
                      if (record.offset() != next.get()) {
                        gaps.incrementAndGet();
                      }
                      next.set(record.offset() + 1);
                    }
                  }
                } catch (Exception e) {
                  error.compareAndSet(null, e);
                }
              },
              "gap-watcher");
      thread.start();
    }

    long position(TopicPartition tp) {
      return positions.get(tp).get();
    }

    long gaps() {
      return gaps.get();
    }

    Exception error() {
      return error.get();
    }

    @Override
    public void close() throws InterruptedException {
      running = false;
      thread.join(30_000);
    }
  }
}
