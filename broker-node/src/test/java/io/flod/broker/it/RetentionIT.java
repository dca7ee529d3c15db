package io.flod.broker.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flod.broker.support.InProcessBroker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retention deletes whole old segments by size and by age, and never the active segment. */
class RetentionIT {
  @TempDir Path dataDir;

  private static final Map<String, String> FAST_RETENTION =
      Map.of("log.retention.check.interval.ms", "100");

  @Test
  void retentionBytesDeletesOldestSegmentsButNeverTheActiveOne() throws Exception {
    try (InProcessBroker broker = InProcessBroker.start(dataDir, FAST_RETENTION);
        Admin admin = broker.admin()) {
      admin
          .createTopics(
              List.of(
                  new NewTopic("bounded", 1, (short) 1)
                      .configs(
                          Map.of(
                              "segment.bytes", "2048",
                              "retention.bytes", "4096",
                              "file.delete.delay.ms", "0"))))
          .all()
          .get();
      produceSeparateBatches(broker.bootstrapServers(), "bounded", 200, System.currentTimeMillis());
      TopicPartition tp = new TopicPartition("bounded", 0);
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  earliest(admin, tp) > 0 && segmentFiles(dataDir.resolve("logs/bounded-0")) <= 4);

      long earliest = earliest(admin, tp);
      long latest = latest(admin, tp);
      assertEquals(200, latest, "nothing past the log start was lost");
      long sizeOnDisk = logBytes(dataDir.resolve("logs/bounded-0"));
      assertTrue(
          sizeOnDisk <= 4096 + 2048,
          "size " + sizeOnDisk + " bounded by retention.bytes plus one segment");
      List<ConsumerRecord<String, String>> rest =
          DurabilityIT.readAll(broker.bootstrapServers(), "bounded", 1, 1);
      assertEquals(earliest, rest.get(0).offset(), "reading starts at the new log start offset");
      assertEquals(199, rest.get(rest.size() - 1).offset(), "the newest records are all there");
    }
  }

  @Test
  void retentionMsDeletesExpiredSegmentsAndKeepsTheActiveOne() throws Exception {
    try (InProcessBroker broker = InProcessBroker.start(dataDir, FAST_RETENTION);
        Admin admin = broker.admin()) {
      admin
          .createTopics(
              List.of(
                  new NewTopic("aging", 1, (short) 1)
                      .configs(
                          Map.of(
                              "segment.bytes", "2048",
                              "retention.ms", "3600000",
                              "file.delete.delay.ms", "0"))))
          .all()
          .get();
      long twoHoursAgo = System.currentTimeMillis() - 2 * 3600_000L;
      produceSeparateBatches(broker.bootstrapServers(), "aging", 100, twoHoursAgo);
      TopicPartition tp = new TopicPartition("aging", 0);
      // Every segment holds only expired records, so all but the active one go.
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> segmentFiles(dataDir.resolve("logs/aging-0")) == 1);
      long earliest = earliest(admin, tp);
      assertTrue(
          earliest > 0 && earliest < 100, "log start moved to the active segment: " + earliest);
      assertEquals(100, latest(admin, tp));
      List<ConsumerRecord<String, String>> rest =
          DurabilityIT.readAll(broker.bootstrapServers(), "aging", 1, 1);
      assertEquals(100 - earliest, rest.size(), "the active segment's records are all readable");
    }
  }

  private static void produceSeparateBatches(
      String bootstrap, String topic, int count, long timestamp) throws Exception {
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(InProcessBroker.producerProps(bootstrap))) {
      for (int i = 0; i < count; i++) {
        producer.send(new ProducerRecord<>(topic, 0, timestamp, "k" + i, "v".repeat(100))).get();
      }
    }
  }

  private static long earliest(Admin admin, TopicPartition tp) throws Exception {
    return admin.listOffsets(Map.of(tp, OffsetSpec.earliest())).all().get().get(tp).offset();
  }

  private static long latest(Admin admin, TopicPartition tp) throws Exception {
    return admin.listOffsets(Map.of(tp, OffsetSpec.latest())).all().get().get(tp).offset();
  }

  private static long segmentFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.toString().endsWith(".log")).count();
    }
  }

  private static long logBytes(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      long total = 0;
      for (Path f : files.filter(f -> f.toString().endsWith(".log")).toList()) {
        total += Files.size(f);
      }
      return total;
    }
  }
}
