package io.flod.broker.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flod.broker.cluster.ClusterController;
import io.flod.broker.cluster.EmbeddedZooKeeper;
import io.flod.broker.support.BrokerProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three brokers in their own JVMs on an embedded ZooKeeper, with the Helix controller and leader
 * elector in this JVM. An idempotent acks=all producer writes unique values while the leader of the
 * partition is SIGKILLed and restarted, five times. Every acknowledged record must then be read
 * back at its acknowledged offset with the same bytes, with no duplicates, and the three replicas'
 * logs must be identical up to the last acknowledged offset.
 */
class ReplicationFailoverIT {
  private static final String CLUSTER = "failover-it";
  private static final String TOPIC = "orders";
  private static final TopicPartition TP = new TopicPartition(TOPIC, 0);

  @TempDir Path dir;
  private EmbeddedZooKeeper zk;
  private ClusterController controller;
  private final Map<Integer, BrokerProcess> brokers = new HashMap<>();

  @BeforeEach
  void startCluster() throws Exception {
    zk = EmbeddedZooKeeper.start(dir.resolve("zk"), 0);
    controller = ClusterController.start(zk.connectString(), CLUSTER);
    for (int id = 1; id <= 3; id++) {
      startBroker(id);
    }
  }

  @AfterEach
  void stopCluster() throws Exception {
    for (BrokerProcess broker : brokers.values()) {
      broker.close();
    }
    if (controller != null) {
      controller.close();
    }
    if (zk != null) {
      zk.close();
    }
  }

  private void startBroker(int id) throws Exception {
    brokers.put(
        id,
        BrokerProcess.startClustered(
            dir.resolve("broker-" + id),
            "--zk",
            zk.connectString(),
            "--cluster",
            CLUSTER,
            "--node-id",
            Integer.toString(id),
            "--zone",
            "zone-" + id,
            "-c",
            "zookeeper.session.timeout.ms=4000",
            "-c",
            "replica.lag.time.max.ms=3000"));
  }

  private String bootstrap() {
    return brokers.values().stream()
        .filter(BrokerProcess::isAlive)
        .map(BrokerProcess::bootstrapServers)
        .collect(Collectors.joining(","));
  }

  private Admin admin() {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000);
    return Admin.create(props);
  }

  private TopicPartitionInfo describe() throws Exception {
    try (Admin admin = admin()) {
      TopicDescription description =
          admin.describeTopics(List.of(TOPIC)).allTopicNames().get().get(TOPIC);
      return description.partitions().get(0);
    }
  }

  @Test
  void acknowledgedRecordsSurviveFiveLeaderKills() throws Exception {
    try (Admin admin = admin()) {
      admin
          .createTopics(
              List.of(
                  new NewTopic(TOPIC, 1, (short) 3).configs(Map.of("min.insync.replicas", "2"))))
          .all()
          .get();
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions() // a broker learns of a new topic within a second
        .until(() -> describe().leader() != null && describe().isr().size() == 3);

    Map<Long, String> acked = new ConcurrentHashMap<>();
    AtomicReference<Exception> producerError = new AtomicReference<>();
    AtomicBoolean producing = new AtomicBoolean(true);
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.LINGER_MS_CONFIG, 2);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    Thread writer;
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
      writer =
          new Thread(
              () -> {
                long n = 0;
                while (producing.get()) {
                  String value = "value-" + n++;
                  producer.send(
                      new ProducerRecord<>(TOPIC, 0, null, value),
                      (metadata, error) -> {
                        if (error == null) {
                          acked.put(metadata.offset(), value);
                        } else {
                          producerError.compareAndSet(null, error);
                        }
                      });
                  if (n % 20 == 0) {
                    producer.flush(); // a steady rate, not an unbounded backlog
                  }
                }
              },
              "steady-producer");
      writer.start();

      for (int kill = 1; kill <= 5; kill++) {
        int before = acked.size();
        await().atMost(Duration.ofSeconds(30)).until(() -> acked.size() >= before + 200);
        int leader = describe().leader().id();
        brokers.get(leader).kill();
        await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(200))
            .ignoreExceptions()
            .until(
                () -> {
                  TopicPartitionInfo info = describe();
                  return info.leader() != null && info.leader().id() != leader;
                });
        int afterKill = acked.size();
        await().atMost(Duration.ofSeconds(60)).until(() -> acked.size() >= afterKill + 200);
        startBroker(leader);
        await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(200))
            .ignoreExceptions()
            .until(() -> describe().isr().size() == 3);
      }
      producing.set(false);
      writer.join(120_000);
      producer.flush();
    }
    assertNull(producerError.get(), "the idempotent producer gave up on a record");
    assertTrue(acked.size() > 2_000, "acknowledged " + acked.size());

    // Every acknowledged record is there, at its offset, once.
    long end = acked.keySet().stream().mapToLong(Long::longValue).max().orElseThrow() + 1;
    Map<Long, String> read = new TreeMap<>();
    Properties consumerProps = new Properties();
    consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
    consumerProps.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    consumerProps.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps)) {
      consumer.assign(List.of(TP));
      consumer.seekToBeginning(List.of(TP));
      long highWatermark = consumer.endOffsets(List.of(TP)).get(TP);
      assertTrue(
          highWatermark >= end,
          "high watermark " + highWatermark + " below the last acknowledged offset " + end);
      long deadline = System.currentTimeMillis() + 60_000;
      while (consumer.position(TP) < end) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          read.put(record.offset(), new String(record.value(), StandardCharsets.UTF_8));
        }
        assertTrue(
            System.currentTimeMillis() < deadline,
            "consumer stuck at " + consumer.position(TP) + " of " + end);
      }
    }
    int lost = 0;
    for (Map.Entry<Long, String> e : acked.entrySet()) {
      if (!e.getValue().equals(read.get(e.getKey()))) {
        lost++;
      }
    }
    assertEquals(0, lost, "acknowledged records missing or changed");
    Set<String> distinct = new HashSet<>(read.values());
    assertEquals(read.size(), distinct.size(), "a value was written twice");
    assertNotEquals(0, read.size());

    // After healing, the three replicas hold the same batches up to the last acknowledged offset.
    List<List<String>> replicaLogs = new ArrayList<>();
    for (int id = 1; id <= 3; id++) {
      replicaLogs.add(batchesBelow(dir.resolve("broker-" + id).resolve("logs/orders-0"), end));
    }
    assertEquals(replicaLogs.get(0), replicaLogs.get(1), "replicas 1 and 2 differ");
    assertEquals(replicaLogs.get(0), replicaLogs.get(2), "replicas 1 and 3 differ");
  }

  /** (base offset, last offset, CRC) of each batch below {@code end}, read from segment files. */
  private static List<String> batchesBelow(Path logDir, long end) throws Exception {
    List<String> batches = new ArrayList<>();
    List<Path> segments;
    try (Stream<Path> files = Files.list(logDir)) {
      segments = files.filter(f -> f.toString().endsWith(".log")).sorted().toList();
    }
    for (Path segment : segments) {
      try (FileRecords records = FileRecords.open(segment.toFile(), false)) {
        for (RecordBatch batch : records.batches()) {
          if (batch.lastOffset() < end) {
            batches.add(batch.baseOffset() + "-" + batch.lastOffset() + ":" + batch.checksum());
          }
        }
      }
    }
    return batches;
  }
}
