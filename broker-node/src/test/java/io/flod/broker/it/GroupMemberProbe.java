package io.flod.broker.it;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * A consumer-group member in its own JVM, for ConsumerGroupIT to SIGKILL. It reports on stdout what
 * it is assigned ("A topic partition"), each record it processed ("R partition offset") and each
 * commit that succeeded ("C partition nextOffset").
 */
public final class GroupMemberProbe {
  public static void main(String[] args) {
    Properties props = new Properties();
    props.put("bootstrap.servers", args[0]);
    props.put("group.id", args[1]);
    props.put("auto.offset.reset", "earliest");
    props.put("enable.auto.commit", "false");
    props.put("session.timeout.ms", args[3]);
    props.put("heartbeat.interval.ms", "300");
    props.put("max.poll.records", "50");
    props.put("key.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
    props.put("value.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
      consumer.subscribe(
          List.of(args[2]),
          new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {}

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
              partitions.forEach(
                  tp -> System.out.println("A " + tp.topic() + " " + tp.partition()));
              System.out.flush();
            }
          });
      while (true) {
        ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(100));
        StringBuilder out = new StringBuilder();
        for (ConsumerRecord<String, String> record : records) {
          out.append("R ")
              .append(record.partition())
              .append(' ')
              .append(record.offset())
              .append('\n');
        }
        System.out.print(out);
        System.out.flush();
        if (!records.isEmpty()) {
          consumer.commitSync();
          StringBuilder committed = new StringBuilder();
          for (TopicPartition tp : records.partitions()) {
            committed
                .append("C ")
                .append(tp.partition())
                .append(' ')
                .append(consumer.position(tp))
                .append('\n');
          }
          System.out.print(committed);
          System.out.flush();
        }
      }
    }
  }
}
