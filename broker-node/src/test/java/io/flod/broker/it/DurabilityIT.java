package io.flod.broker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flod.broker.support.BrokerProcess;
import io.flod.broker.support.InProcessBroker;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.FileRecords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every acknowledged record is found again after a clean stop, a SIGKILL and a torn tail. */
class DurabilityIT {
  @TempDir Path tmp;

  @Test
  void cleanRestartKeepsEveryAcknowledgedRecord() throws Exception {
    Path dataDir = tmp.resolve("data");
    try (InProcessBroker broker = InProcessBroker.start(dataDir)) {
      createTopic(broker.bootstrapServers(), "durable", 3);
      Map<String, RecordMetadata> acked = produce(broker.bootstrapServers(), "durable", 5_000);
      broker.stop();
      assertTrue(
          Files.exists(dataDir.resolve("logs/.clean-shutdown")),
          "clean shutdown leaves its marker");
      broker.restart();
      assertEveryAckedRecordPresent(broker.bootstrapServers(), "durable", 3, acked);
      // Offsets continue where they stopped.
      Map<String, RecordMetadata> more = produce(broker.bootstrapServers(), "durable", 300);
      assertEveryAckedRecordPresent(broker.bootstrapServers(), "durable", 3, merge(acked, more));
    }
  }

  @Test
  void sigkillOfTheBrokerProcessLosesNoAcknowledgedRecord() throws Exception {
    Path dataDir = tmp.resolve("killed");
    Map<String, RecordMetadata> acked;
    try (BrokerProcess broker = BrokerProcess.start(dataDir)) {
      createTopic(broker.bootstrapServers(), "survivor", 2);
      acked = produce(broker.bootstrapServers(), "survivor", 20_000);
      broker.kill();
    }
    assertTrue(
        Files.notExists(dataDir.resolve("logs/.clean-shutdown")), "SIGKILL leaves no marker");
    try (BrokerProcess broker = BrokerProcess.start(dataDir)) {
      assertEveryAckedRecordPresent(broker.bootstrapServers(), "survivor", 2, acked);
      Map<String, RecordMetadata> more = produce(broker.bootstrapServers(), "survivor", 100);
      assertEveryAckedRecordPresent(broker.bootstrapServers(), "survivor", 2, merge(acked, more));
      assertEquals(143, broker.terminate(), "SIGTERM ends the JVM through its shutdown hook");
    }
    assertTrue(Files.exists(dataDir.resolve("logs/.clean-shutdown")), "SIGTERM shuts down cleanly");
  }

  @Test
  void aTornLastBatchIsTruncatedAndEverythingBeforeItIsKept() throws Exception {
    Path dataDir = tmp.resolve("torn");
    try (InProcessBroker broker = InProcessBroker.start(dataDir)) {
      createTopic(broker.bootstrapServers(), "torn", 1);
      Map<String, RecordMetadata> acked =
          produceOneBatchEach(broker.bootstrapServers(), "torn", 50);
      broker.stop();

      Path segment = onlySegment(dataDir.resolve("logs/torn-0"));
      FileChannelRecordBatch last = lastBatch(segment);
      try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
        file.setLength(last.position() + last.sizeInBytes() - 7);
      }
      Files.delete(dataDir.resolve("logs/.clean-shutdown"));

      broker.restart();
      acked.values().removeIf(m -> m.offset() >= last.baseOffset());
      assertEquals(49, acked.size());
      List<ConsumerRecord<String, String>> read =
          readAll(broker.bootstrapServers(), "torn", 1, acked.size());
      assertEquals(acked.size(), read.size(), "everything before the torn batch");
      assertEquals(
          last.baseOffset(), endOffset(broker.bootstrapServers(), new TopicPartition("torn", 0)));
      Map<String, RecordMetadata> after = produce(broker.bootstrapServers(), "torn", 10);
      assertEquals(
          last.baseOffset(),
          after.values().stream().mapToLong(RecordMetadata::offset).min().orElseThrow());
    }
  }

  @Test
  void aCorruptLastBatchFailsItsCrcAndIsTruncated() throws Exception {
    Path dataDir = tmp.resolve("corrupt");
    try (InProcessBroker broker = InProcessBroker.start(dataDir)) {
      createTopic(broker.bootstrapServers(), "corrupt", 1);
      Map<String, RecordMetadata> acked =
          produceOneBatchEach(broker.bootstrapServers(), "corrupt", 30);
      broker.stop();

      Path segment = onlySegment(dataDir.resolve("logs/corrupt-0"));
      FileChannelRecordBatch last = lastBatch(segment);
      try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
        long inRecords = last.position() + last.sizeInBytes() - 3;
        file.seek(inRecords);
        int b = file.read();
        file.seek(inRecords);
        file.write(b ^ 0xff);
      }
      Files.delete(dataDir.resolve("logs/.clean-shutdown"));

      broker.restart();
      assertEquals(
          last.baseOffset(),
          endOffset(broker.bootstrapServers(), new TopicPartition("corrupt", 0)));
      List<ConsumerRecord<String, String>> read =
          readAll(broker.bootstrapServers(), "corrupt", 1, 29);
      assertEquals(29, read.size());
      for (ConsumerRecord<String, String> record : read) {
        RecordMetadata expected = acked.get(record.key());
        assertEquals(expected.offset(), record.offset());
        assertEquals("value-" + record.key(), record.value());
      }
    }
  }

  private static Path onlySegment(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> logs = files.filter(f -> f.toString().endsWith(".log")).toList();
      assertEquals(1, logs.size());
      return logs.get(0);
    }
  }

  private static FileChannelRecordBatch lastBatch(Path segment) throws IOException {
    try (FileRecords records = FileRecords.open(segment.toFile())) {
      FileChannelRecordBatch last = null;
      for (FileChannelRecordBatch batch : records.batches()) {
        last = batch;
      }
      return last;
    }
  }

  static void createTopic(String bootstrap, String topic, int partitions) throws Exception {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(props)) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
    }
  }

  /** Produces {@code count} records with acks=all; returns the metadata of each by key. */
  static Map<String, RecordMetadata> produce(String bootstrap, String topic, int count)
      throws Exception {
    Properties props = InProcessBroker.producerProps(bootstrap);
    props.put(ProducerConfig.LINGER_MS_CONFIG, "2");
    String prefix = Long.toString(System.nanoTime(), 36) + "-";
    Map<String, Future<RecordMetadata>> sends = new HashMap<>();
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
      for (int i = 0; i < count; i++) {
        String key = prefix + i;
        sends.put(key, producer.send(new ProducerRecord<>(topic, key, "value-" + key)));
      }
    }
    Map<String, RecordMetadata> acked = new HashMap<>();
    for (Map.Entry<String, Future<RecordMetadata>> e : sends.entrySet()) {
      acked.put(e.getKey(), e.getValue().get());
    }
    return acked;
  }

  private static Map<String, RecordMetadata> produceOneBatchEach(
      String bootstrap, String topic, int count) throws Exception {
    Map<String, RecordMetadata> acked = new HashMap<>();
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(InProcessBroker.producerProps(bootstrap))) {
      for (int i = 0; i < count; i++) {
        String key = "k" + i;
        acked.put(key, producer.send(new ProducerRecord<>(topic, key, "value-" + key)).get());
      }
    }
    return acked;
  }

  static void assertEveryAckedRecordPresent(
      String bootstrap, String topic, int partitions, Map<String, RecordMetadata> acked) {
    List<ConsumerRecord<String, String>> read = readAll(bootstrap, topic, partitions, acked.size());
    Map<String, ConsumerRecord<String, String>> byKey = new HashMap<>();
    read.forEach(r -> byKey.put(r.key(), r));
    for (Map.Entry<String, RecordMetadata> e : acked.entrySet()) {
      ConsumerRecord<String, String> found = byKey.get(e.getKey());
      assertTrue(found != null, "acknowledged record " + e.getKey() + " is missing");
      assertEquals(e.getValue().partition(), found.partition());
      assertEquals(e.getValue().offset(), found.offset());
      assertEquals("value-" + e.getKey(), found.value());
    }
  }

  static List<ConsumerRecord<String, String>> readAll(
      String bootstrap, String topic, int partitions, int atLeast) {
    List<ConsumerRecord<String, String>> read = new ArrayList<>();
    List<TopicPartition> tps = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      tps.add(new TopicPartition(topic, p));
    }
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(InProcessBroker.consumerProps(bootstrap))) {
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
      Map<TopicPartition, Long> ends = consumer.endOffsets(tps);
      long deadline = System.currentTimeMillis() + 60_000;
      while (System.currentTimeMillis() < deadline
          && (read.size() < atLeast
              || tps.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp)))) {
        consumer.poll(Duration.ofMillis(200)).forEach(read::add);
      }
    }
    return read;
  }

  private static long endOffset(String bootstrap, TopicPartition tp) {
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(InProcessBroker.consumerProps(bootstrap))) {
      return consumer.endOffsets(List.of(tp)).get(tp);
    }
  }

  private static Map<String, RecordMetadata> merge(
      Map<String, RecordMetadata> a, Map<String, RecordMetadata> b) {
    Map<String, RecordMetadata> all = new HashMap<>(a);
    all.putAll(b);
    return all;
  }
}
