package io.flod.broker.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Run by {@link LegacyClientIT} in a JVM whose classpath holds a Kafka 3.x client instead of the
 * 4.x one: uses only API common to both. Prints {@code OK <count>} when every record came back.
 */
public final class LegacyClientProbe {
  public static void main(String[] args) throws Exception {
    String bootstrap = args[0];
    String topic = args[1];
    int count = Integer.parseInt(args[2]);
    Properties common = new Properties();
    common.put("bootstrap.servers", bootstrap);
    try (Admin admin = Admin.create(common)) {
      admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get();
    }
    Properties producerProps = new Properties();
    producerProps.putAll(common);
    producerProps.put("acks", "all");
    producerProps.put("enable.idempotence", "true");
    producerProps.put("compression.type", "lz4");
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(producerProps, new StringSerializer(), new StringSerializer())) {
      for (int i = 0; i < count; i++) {
        producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i));
      }
    }
    Properties consumerProps = new Properties();
    consumerProps.putAll(common);
    List<ConsumerRecord<String, String>> read = new ArrayList<>();
    List<TopicPartition> tps = List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1));
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(consumerProps, new StringDeserializer(), new StringDeserializer())) {
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
      long deadline = System.currentTimeMillis() + 60_000;
      while (read.size() < count && System.currentTimeMillis() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(read::add);
      }
    }
    for (ConsumerRecord<String, String> record : read) {
      if (!record.value().equals("v" + record.key().substring(1))) {
        System.out.println("MISMATCH " + record);
        System.exit(1);
      }
    }
    Properties version = new Properties();
    try (var in = KafkaProducer.class.getResourceAsStream("/kafka/kafka-version.properties")) {
      version.load(in);
    }
    System.out.println("OK " + read.size() + " " + version.getProperty("version"));
  }
}
