import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Consume throughput with assign() instead of subscribe(): reads partition 0 of a topic from the
 * beginning until N records arrive, and prints one line like ConsumerPerformance's summary. Run
 * with Java's single-file launcher against the Kafka 4.3.1 client in bench/lib, for both brokers.
 * It exists because Kafka's ConsumerPerformance needs a group coordinator, which Flod gains with
 * the consumer-groups issue.
 */
public class AssignedConsumerPerformance {
  public static void main(String[] args) {
    String bootstrap = args[0];
    String topic = args[1];
    long messages = Long.parseLong(args[2]);
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrap);
    props.put("key.deserializer", ByteArrayDeserializer.class.getName());
    props.put("value.deserializer", ByteArrayDeserializer.class.getName());
    // The same fetch settings as ConsumerPerformance's defaults.
    props.put("fetch.max.bytes", String.valueOf(50 * 1024 * 1024));
    props.put("max.partition.fetch.bytes", String.valueOf(1024 * 1024));
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      TopicPartition tp = new TopicPartition(topic, 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long count = 0;
      long bytes = 0;
      long start = System.nanoTime();
      while (count < messages) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(1000));
        for (var record : records) {
          count++;
          bytes += record.serializedValueSize() + Math.max(0, record.serializedKeySize());
        }
        if (System.nanoTime() - start > 300_000_000_000L) {
          break;
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf(
          "records=%d seconds=%.3f records/sec=%.1f MB/sec=%.2f%n",
          count, seconds, count / seconds, bytes / 1024.0 / 1024.0 / seconds);
    }
  }
}
