package io.flod.broker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flod.broker.support.InProcessBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The unmodified kafka-clients producer, consumer and admin client against a standalone broker. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KafkaClientsIT {
  @TempDir static Path dataDir;
  private InProcessBroker broker;
  private Admin admin;

  @BeforeAll
  void startBroker() {
    broker = InProcessBroker.start(dataDir);
    admin = broker.admin();
  }

  @AfterAll
  void stopBroker() {
    admin.close();
    broker.close();
  }

  @Test
  void hundredThousandKeyedRecordsWithHeadersComeBackIdenticalAndInOrderPerPartition()
      throws Exception {
    String topic = "orders";
    int partitions = 4;
    int count = 100_000;
    admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
    long baseTimestamp = System.currentTimeMillis() - 1_000_000;

    Properties producerProps = broker.producerProps();
    producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    producerProps.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    List<Future<RecordMetadata>> sends = new ArrayList<>(count);
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps)) {
      for (int i = 0; i < count; i++) {
        List<Header> headers =
            List.of(
                new RecordHeader("idx", Integer.toString(i).getBytes(StandardCharsets.UTF_8)),
                new RecordHeader("source", "test".getBytes(StandardCharsets.UTF_8)));
        sends.add(
            producer.send(
                new ProducerRecord<>(
                    topic, null, baseTimestamp + i, "key-" + i, "value-" + i, headers)));
      }
      producer.flush();
    }
    Map<Integer, RecordMetadata> acked = new HashMap<>();
    for (int i = 0; i < count; i++) {
      acked.put(i, sends.get(i).get());
    }

    Map<TopicPartition, List<ConsumerRecord<String, String>>> read =
        readAll(topic, partitions, count);
    assertEquals(count, read.values().stream().mapToInt(List::size).sum());
    for (Map.Entry<TopicPartition, List<ConsumerRecord<String, String>>> e : read.entrySet()) {
      int previousIndex = -1;
      long expectedOffset = 0;
      for (ConsumerRecord<String, String> record : e.getValue()) {
        int idx =
            Integer.parseInt(
                new String(record.headers().lastHeader("idx").value(), StandardCharsets.UTF_8));
        assertTrue(
            idx > previousIndex,
            "records of " + e.getKey() + " out of order at offset " + record.offset());
        previousIndex = idx;
        assertEquals(expectedOffset++, record.offset(), "offsets are dense");
        assertEquals("key-" + idx, record.key());
        assertEquals("value-" + idx, record.value());
        assertEquals(
            "test",
            new String(record.headers().lastHeader("source").value(), StandardCharsets.UTF_8));
        assertEquals(baseTimestamp + idx, record.timestamp());
        assertEquals(acked.get(idx).offset(), record.offset(), "acknowledged offset");
        assertEquals(acked.get(idx).partition(), record.partition());
        int expectedPartition =
            Utils.toPositive(Utils.murmur2(record.key().getBytes(StandardCharsets.UTF_8)))
                % partitions;
        assertEquals(expectedPartition, record.partition(), "the default partitioner's choice");
      }
    }

    // Seek by timestamp: the first record at or after the time, in every partition.
    long target = baseTimestamp + count / 2;
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(broker.consumerProps())) {
      Map<TopicPartition, Long> query = new HashMap<>();
      read.keySet().forEach(tp -> query.put(tp, target));
      Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query);
      for (Map.Entry<TopicPartition, List<ConsumerRecord<String, String>>> e : read.entrySet()) {
        ConsumerRecord<String, String> expected =
            e.getValue().stream().filter(r -> r.timestamp() >= target).findFirst().orElseThrow();
        assertEquals(
            expected.offset(), found.get(e.getKey()).offset(), "offsetsForTimes " + e.getKey());
        assertEquals(expected.timestamp(), found.get(e.getKey()).timestamp());
      }
      Map<TopicPartition, Long> future = new HashMap<>();
      read.keySet().forEach(tp -> future.put(tp, System.currentTimeMillis() + 3_600_000));
      assertNull(
          consumer.offsetsForTimes(future).get(new TopicPartition(topic, 0)),
          "nothing after the newest record");
    }

    // End offsets and earliest offsets through the admin client.
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    read.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
    var ends = admin.listOffsets(latest).all().get();
    read.forEach((tp, records) -> assertEquals(records.size(), ends.get(tp).offset()));
    Map<TopicPartition, OffsetSpec> maxTs =
        Map.of(new TopicPartition(topic, 0), OffsetSpec.maxTimestamp());
    var max = admin.listOffsets(maxTs).all().get().get(new TopicPartition(topic, 0));
    List<ConsumerRecord<String, String>> p0 = read.get(new TopicPartition(topic, 0));
    assertEquals(p0.get(p0.size() - 1).offset(), max.offset());
  }

  private Map<TopicPartition, List<ConsumerRecord<String, String>>> readAll(
      String topic, int partitions, int count) {
    Map<TopicPartition, List<ConsumerRecord<String, String>>> read = new HashMap<>();
    List<TopicPartition> tps =
        IntStream.range(0, partitions).mapToObj(p -> new TopicPartition(topic, p)).toList();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(broker.consumerProps())) {
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
      int total = 0;
      long deadline = System.currentTimeMillis() + 60_000;
      while (total < count && System.currentTimeMillis() < deadline) {
        ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(500));
        for (ConsumerRecord<String, String> record : records) {
          read.computeIfAbsent(
                  new TopicPartition(record.topic(), record.partition()), k -> new ArrayList<>())
              .add(record);
          total++;
        }
      }
    }
    return read;
  }

  @Test
  void metricsCountBytesAndRecordsPerTopicAndTimeEachApi() throws Exception {
    admin.createTopics(List.of(new NewTopic("metered", 1, (short) 1))).all().get();
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(broker.producerProps())) {
      for (int i = 0; i < 500; i++) {
        producer.send(new ProducerRecord<>("metered", "k" + i, "v" + i));
      }
    }
    DurabilityIT.readAll(broker.bootstrapServers(), "metered", 1, 500);
    var registry = broker.broker().metrics().registry();
    double recordsIn =
        registry.get("flod.broker.topic.records.in").tag("topic", "metered").counter().count();
    double recordsOut =
        registry.get("flod.broker.topic.records.out").tag("topic", "metered").counter().count();
    double bytesIn =
        registry.get("flod.broker.topic.bytes.in").tag("topic", "metered").counter().count();
    double bytesOut =
        registry.get("flod.broker.topic.bytes.out").tag("topic", "metered").counter().count();
    assertEquals(500, recordsIn);
    assertEquals(500, recordsOut, "one consumer read every record once");
    assertTrue(bytesIn > 500 * 4 && bytesOut >= bytesIn, "in " + bytesIn + ", out " + bytesOut);
    assertTrue(
        registry.get("flod.broker.request.latency").tag("api", "Produce").timer().count() > 0);
    assertTrue(registry.get("flod.broker.request.latency").tag("api", "Fetch").timer().count() > 0);
  }

  @Test
  void topicConfigsAreDescribedAlteredAndValidated() throws Exception {
    String topic = "configured";
    admin
        .createTopics(
            List.of(new NewTopic(topic, 1, (short) 1).configs(Map.of("retention.ms", "3600000"))))
        .all()
        .get();
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
    assertEquals("3600000", config.get("retention.ms").value());
    assertEquals(
        ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG, config.get("retention.ms").source());
    assertEquals("1048576", config.get("max.message.bytes").value());
    assertEquals(ConfigEntry.ConfigSource.DEFAULT_CONFIG, config.get("max.message.bytes").source());

    admin
        .incrementalAlterConfigs(
            Map.of(
                resource,
                List.of(
                    new AlterConfigOp(
                        new ConfigEntry("max.message.bytes", "2048"), AlterConfigOp.OpType.SET),
                    new AlterConfigOp(
                        new ConfigEntry("retention.ms", null), AlterConfigOp.OpType.DELETE))))
        .all()
        .get();
    config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
    assertEquals("2048", config.get("max.message.bytes").value());
    assertEquals(ConfigEntry.ConfigSource.DEFAULT_CONFIG, config.get("retention.ms").source());

    // The new limit applies to produce at once.
    Properties props = broker.producerProps();
    props.put(ProducerConfig.RETRIES_CONFIG, "0");
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
      ExecutionException tooLarge =
          assertThrows(
              ExecutionException.class,
              () -> producer.send(new ProducerRecord<>(topic, "k", "x".repeat(4096))).get());
      assertInstanceOf(RecordTooLargeException.class, tooLarge.getCause());
      assertEquals(0, producer.send(new ProducerRecord<>(topic, "k", "small")).get().offset());
    }

    ExecutionException invalid =
        assertThrows(
            ExecutionException.class,
            () ->
                admin
                    .incrementalAlterConfigs(
                        Map.of(
                            resource,
                            List.of(
                                new AlterConfigOp(
                                    new ConfigEntry("retention.ms", "soon"),
                                    AlterConfigOp.OpType.SET))))
                    .all()
                    .get());
    assertInstanceOf(InvalidConfigurationException.class, invalid.getCause());
    ExecutionException unknown =
        assertThrows(
            ExecutionException.class,
            () ->
                admin
                    .createTopics(
                        List.of(
                            new NewTopic("bad-config", 1, (short) 1)
                                .configs(Map.of("no.such.config", "1"))))
                    .all()
                    .get());
    assertInstanceOf(InvalidConfigurationException.class, unknown.getCause());
  }

  @Test
  void topicsAreCreatedGrownDescribedAndDeleted() throws Exception {
    admin.createTopics(List.of(new NewTopic("lifecycle", 2, (short) 1))).all().get();
    ExecutionException exists =
        assertThrows(
            ExecutionException.class,
            () -> admin.createTopics(List.of(new NewTopic("lifecycle", 2, (short) 1))).all().get());
    assertInstanceOf(TopicExistsException.class, exists.getCause());

    admin.createPartitions(Map.of("lifecycle", NewPartitions.increaseTo(5))).all().get();
    TopicDescription description =
        admin.describeTopics(List.of("lifecycle")).allTopicNames().get().get("lifecycle");
    assertEquals(5, description.partitions().size());
    assertNotNull(description.topicId());
    ExecutionException shrink =
        assertThrows(
            ExecutionException.class,
            () ->
                admin
                    .createPartitions(Map.of("lifecycle", NewPartitions.increaseTo(3)))
                    .all()
                    .get());
    assertInstanceOf(InvalidPartitionsException.class, shrink.getCause());
    ExecutionException absurd =
        assertThrows(
            ExecutionException.class,
            () ->
                admin
                    .createTopics(List.of(new NewTopic("absurd", 1_000_000, (short) 1)))
                    .all()
                    .get());
    assertInstanceOf(InvalidPartitionsException.class, absurd.getCause());
    assertTrue(absurd.getCause().getMessage().contains("max.partitions.per.topic"));

    try (KafkaProducer<String, String> producer = new KafkaProducer<>(broker.producerProps())) {
      assertEquals(
          0,
          producer
              .send(new ProducerRecord<>("lifecycle", 4, "k", "in new partition"))
              .get()
              .offset());
    }

    DescribeClusterResult cluster = admin.describeCluster();
    assertEquals(broker.broker().clusterId(), cluster.clusterId().get());
    assertEquals(1, cluster.nodes().get().size());

    admin.deleteTopics(List.of("lifecycle")).all().get();
    Set<String> names = admin.listTopics().names().get();
    assertFalse(names.contains("lifecycle"));
    ExecutionException gone =
        assertThrows(
            ExecutionException.class,
            () -> admin.describeTopics(List.of("lifecycle")).allTopicNames().get());
    assertInstanceOf(UnknownTopicOrPartitionException.class, gone.getCause());

    // The name can be reused, and the new topic starts empty.
    admin.createTopics(List.of(new NewTopic("lifecycle", 1, (short) 1))).all().get();
    var end =
        admin
            .listOffsets(Map.of(new TopicPartition("lifecycle", 0), OffsetSpec.latest()))
            .all()
            .get();
    assertEquals(0, end.get(new TopicPartition("lifecycle", 0)).offset());
  }

  @Test
  void producingToAMissingTopicFailsWhenAutoCreationIsOff() {
    Properties props = broker.producerProps();
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "2000");
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
      ExecutionException missing =
          assertThrows(
              ExecutionException.class,
              () -> producer.send(new ProducerRecord<>("no-such-topic", "k", "v")).get());
      Collection<String> causes = List.of(missing.getCause().getClass().getSimpleName());
      assertTrue(
          causes.contains("TimeoutException")
              || causes.contains("UnknownTopicOrPartitionException"),
          "got " + causes);
    }
    assertTrue(
        admin.listTopics().names().toCompletionStage().toCompletableFuture().join().stream()
            .noneMatch("no-such-topic"::equals),
        "the topic was not created");
  }
}
