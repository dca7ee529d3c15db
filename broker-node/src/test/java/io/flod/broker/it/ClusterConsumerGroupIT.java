package io.flod.broker.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flod.broker.support.ClusterTest;
import io.flod.broker.support.TestCluster;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Consumer groups in cluster mode: the coordinator of a group is the leader of its replicated
 * {@code __consumer_offsets} partition. When the coordinator's broker is SIGKILLed, the new leader
 * of that partition takes over the group with its committed offsets, and a consumer of the group
 * resumes exactly where the last commit left off.
 */
class ClusterConsumerGroupIT extends ClusterTest {
  private static final String TOPIC = "events";
  private static final String GROUP = "billing";

  @Test
  void committedOffsetsSurviveTheLossOfTheCoordinatorsBroker() throws Exception {
    cluster =
        TestCluster.start(
            dir,
            "groups-it",
            3,
            "zookeeper.session.timeout.ms=4000",
            "replica.lag.time.max.ms=3000",
            "offsets.topic.num.partitions=3",
            "group.initial.rebalance.delay.ms=0");
    cluster.createTopic(TOPIC, 3, 3, Map.of("min.insync.replicas", "2"));
    Properties producerProps = new Properties();
    producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap());
    producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
    producerProps.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    producerProps.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps)) {
      for (int i = 0; i < 300; i++) {
        producer.send(new ProducerRecord<>(TOPIC, i % 3, null, "v" + i));
      }
      producer.flush();
    }

    Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
    try (KafkaConsumer<String, String> consumer = consumer(cluster.bootstrap())) {
      consumer.subscribe(List.of(TOPIC));
      int read = 0;
      long deadline = System.currentTimeMillis() + 60_000;
      while (read < 150) {
        read += consumer.poll(Duration.ofMillis(200)).count();
        assertTrue(System.currentTimeMillis() < deadline, "read only " + read);
      }
      for (TopicPartition tp : consumer.assignment()) {
        committed.put(tp, new OffsetAndMetadata(consumer.position(tp)));
      }
      consumer.commitSync(committed);
    }
    int coordinator;
    try (Admin admin = cluster.admin()) {
      coordinator =
          admin.describeConsumerGroups(List.of(GROUP)).all().get().get(GROUP).coordinator().id();
      assertEquals(
          committed, admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get());
    }

    cluster.broker(coordinator).kill();
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .until(
            () -> {
              try (Admin admin = cluster.admin(coordinator)) {
                int now =
                    admin
                        .describeConsumerGroups(List.of(GROUP))
                        .all()
                        .get()
                        .get(GROUP)
                        .coordinator()
                        .id();
                return now != coordinator
                    && committed.equals(
                        admin
                            .listConsumerGroupOffsets(GROUP)
                            .partitionsToOffsetAndMetadata()
                            .get());
              }
            });

    // A consumer of the group resumes exactly at the committed positions.
    Map<TopicPartition, Long> expected = new HashMap<>();
    committed.forEach(
        (tp, offset) -> {
          if (offset.offset() < 100) { // a partition with records left to read
            expected.put(tp, offset.offset());
          }
        });
    assertTrue(!expected.isEmpty(), "150 of 300 records read: some partition has more");
    Map<TopicPartition, Long> firstSeen = new HashMap<>();
    try (KafkaConsumer<String, String> consumer = consumer(cluster.bootstrap(coordinator))) {
      consumer.subscribe(List.of(TOPIC));
      long deadline = System.currentTimeMillis() + 60_000;
      while (!firstSeen.keySet().containsAll(expected.keySet())) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
          firstSeen.putIfAbsent(
              new TopicPartition(record.topic(), record.partition()), record.offset());
        }
        assertTrue(System.currentTimeMillis() < deadline, "resumed on " + firstSeen);
      }
    }
    for (Map.Entry<TopicPartition, Long> e : expected.entrySet()) {
      assertEquals(e.getValue(), firstSeen.get(e.getKey()), "resumed position of " + e.getKey());
    }
    assertEquals(3, committed.size(), "the first consumer owned every partition");
  }

  private static KafkaConsumer<String, String> consumer(String bootstrap) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10); // stop about half way
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    return new KafkaConsumer<>(props);
  }
}
