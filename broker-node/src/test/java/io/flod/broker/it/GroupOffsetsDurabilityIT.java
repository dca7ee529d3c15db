package io.flod.broker.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flod.broker.support.BrokerProcess;
import io.flod.broker.support.InProcessBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Committed offsets and group membership come back after a clean restart and after SIGKILL. */
class GroupOffsetsDurabilityIT {
  @TempDir Path tmp;

  @Test
  void committedOffsetsSurviveACleanRestart() throws Exception {
    try (InProcessBroker broker =
        InProcessBroker.start(tmp.resolve("clean"), ConsumerGroupIT.FAST_GROUPS)) {
      Map<TopicPartition, OffsetAndMetadata> committed =
          consumeAndCommit(broker.bootstrapServers(), "restart-topic", 700);
      broker.stop();
      broker.restart();
      assertEquals(committed, offsets(broker.bootstrapServers(), "restart-group"));
      assertEquals(
          0,
          remaining(broker.bootstrapServers(), "restart-topic"),
          "a new member resumes after the commits");
    }
  }

  @Test
  void committedOffsetsSurviveSigkill() throws Exception {
    Path dataDir = tmp.resolve("killed");
    Map<TopicPartition, OffsetAndMetadata> committed;
    try (BrokerProcess broker =
        BrokerProcess.start(dataDir, "-c", "group.initial.rebalance.delay.ms=0")) {
      committed = consumeAndCommit(broker.bootstrapServers(), "kill-topic", 900);
      broker.kill();
    }
    try (BrokerProcess broker =
        BrokerProcess.start(dataDir, "-c", "group.initial.rebalance.delay.ms=0")) {
      assertEquals(committed, offsets(broker.bootstrapServers(), "restart-group"));
      assertEquals(0, remaining(broker.bootstrapServers(), "kill-topic"));
    }
  }

  @Test
  void theOffsetsTopicIsCompactedAndTheNewestCommitsSurviveARestart() throws Exception {
    Map<String, String> configs = new HashMap<>(ConsumerGroupIT.FAST_GROUPS);
    configs.put("offsets.topic.segment.bytes", "1024");
    configs.put("log.cleaner.backoff.ms", "100");
    Path dataDir = tmp.resolve("compacted");
    String group = "busy-committer";
    Path offsetsDir =
        dataDir.resolve("logs/__consumer_offsets-" + ((group.hashCode() & 0x7fffffff) % 50));
    try (InProcessBroker broker = InProcessBroker.start(dataDir, configs)) {
      DurabilityIT.createTopic(broker.bootstrapServers(), "ticks", 1);
      Properties props = groupProps(broker.bootstrapServers());
      props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
      TopicPartition tp = new TopicPartition("ticks", 0);
      try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
        consumer.assign(List.of(tp));
        for (int i = 1; i <= 2_000; i++) {
          consumer.commitSync(Map.of(tp, new OffsetAndMetadata(i, "tick " + i)));
        }
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> segmentFiles(offsetsDir) <= 3);
      assertEquals(2_000, offsets(broker.bootstrapServers(), group).get(tp).offset());
      broker.stop();
      broker.restart();
      OffsetAndMetadata reloaded = offsets(broker.bootstrapServers(), group).get(tp);
      assertEquals(2_000, reloaded.offset(), "the newest commit, replayed from the compacted log");
      assertEquals("tick 2000", reloaded.metadata());
    }
  }

  private static long segmentFiles(Path dir) throws java.io.IOException {
    try (var files = java.nio.file.Files.list(dir)) {
      return files.filter(f -> f.toString().endsWith(".log")).count();
    }
  }

  /**
   * Produces {@code count} records, consumes them all in a group with commitSync, returns the
   * commits.
   */
  private static Map<TopicPartition, OffsetAndMetadata> consumeAndCommit(
      String bootstrap, String topic, int count) throws Exception {
    DurabilityIT.createTopic(bootstrap, topic, 3);
    DurabilityIT.produce(bootstrap, topic, count);
    Properties props = groupProps(bootstrap);
    int read = 0;
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
      consumer.subscribe(List.of(topic));
      long deadline = System.currentTimeMillis() + 30_000;
      while (read < count && System.currentTimeMillis() < deadline) {
        int n = consumer.poll(Duration.ofMillis(100)).count();
        read += n;
        if (n > 0) {
          consumer.commitSync(
              Map.of(), Duration.ofSeconds(10)); // no-op commit exercises the empty path
          consumer.commitSync();
        }
      }
    }
    assertEquals(count, read);
    Map<TopicPartition, OffsetAndMetadata> committed = offsets(bootstrap, "restart-group");
    assertEquals(count, committed.values().stream().mapToLong(OffsetAndMetadata::offset).sum());
    return committed;
  }

  private static int remaining(String bootstrap, String topic) {
    int read = 0;
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(groupProps(bootstrap))) {
      consumer.subscribe(List.of(topic));
      long deadline = System.currentTimeMillis() + 5_000;
      while (System.currentTimeMillis() < deadline) {
        read += consumer.poll(Duration.ofMillis(200)).count();
      }
    }
    return read;
  }

  private static Properties groupProps(String bootstrap) {
    Properties props = InProcessBroker.consumerProps(bootstrap);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "restart-group");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    return props;
  }

  private static Map<TopicPartition, OffsetAndMetadata> offsets(String bootstrap, String group)
      throws Exception {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(props)) {
      return new HashMap<>(
          admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get());
    }
  }
}
