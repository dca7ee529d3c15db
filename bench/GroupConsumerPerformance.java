import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * N consumers in one group (subscribe) reading a topic together until they have consumed the
 * given number of records. Reports throughput from the moment every member has partitions (the
 * group is stable) to the last record, and the time the group took to form. Run with Java's
 * single-file launcher against the Kafka 4.3.1 client in bench/lib, for both brokers.
 */
public class GroupConsumerPerformance {
  public static void main(String[] args) throws Exception {
    String bootstrap = args[0];
    String topic = args[1];
    long total = Long.parseLong(args[2]);
    int members = Integer.parseInt(args[3]);
    String group = args[4];
    AtomicLong records = new AtomicLong();
    AtomicLong bytes = new AtomicLong();
    CountDownLatch assigned = new CountDownLatch(members);
    long start = System.nanoTime();
    long[] stableAt = new long[1];
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < members; i++) {
      Thread t = new Thread(() -> {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrap);
        props.put("group.id", group);
        props.put("auto.offset.reset", "earliest");
        props.put("key.deserializer", ByteArrayDeserializer.class.getName());
        props.put("value.deserializer", ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
          consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
            boolean counted;
            public void onPartitionsRevoked(java.util.Collection<TopicPartition> p) {}
            public void onPartitionsAssigned(java.util.Collection<TopicPartition> p) {
              if (!p.isEmpty() && !counted) {
                counted = true;
                assigned.countDown();
              }
            }
          });
          long deadline = System.nanoTime() + 300_000_000_000L;
          while (records.get() < total && System.nanoTime() < deadline) {
            for (var record : consumer.poll(Duration.ofMillis(200))) {
              records.incrementAndGet();
              bytes.addAndGet(record.serializedValueSize() + Math.max(0, record.serializedKeySize()));
            }
          }
        }
      });
      t.start();
      threads.add(t);
    }
    assigned.await();
    stableAt[0] = System.nanoTime();
    long consumedBeforeStable = records.get();
    long bytesBeforeStable = bytes.get();
    for (Thread t : threads) {
      t.join();
    }
    double seconds = (System.nanoTime() - stableAt[0]) / 1e9;
    long counted = records.get() - consumedBeforeStable;
    System.out.printf(
        "records=%d seconds=%.3f records/sec=%.1f MB/sec=%.2f join.ms=%.0f%n",
        records.get(), seconds, counted / seconds, (bytes.get() - bytesBeforeStable) / 1024.0 / 1024.0 / seconds,
        (stableAt[0] - start) / 1e6);
  }
}
