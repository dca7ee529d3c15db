package io.flod.broker.faults;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jepsen's Kafka workload, cut to what Flod offers: idempotent {@code acks=all} producers writing
 * unique values round-robin over a topic's partitions at a steady rate, consumers in a group that
 * commit after every poll, and a final read of every partition from the start to its high
 * watermark. Everything observed goes into a {@link History}.
 */
public final class Workload implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Workload.class);

  private final String bootstrap;
  private final String topic;
  private final int partitions;
  private final History history;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final List<Thread> threads = new ArrayList<>();
  private final List<KafkaConsumer<byte[], byte[]>> consumers = new ArrayList<>();

  /**
   * Starts {@code producers} producers writing {@code recordsPerSecond} records a second each and
   * {@code consumers} members of group {@code topic-group}.
   */
  public Workload(
      String bootstrap,
      String topic,
      int partitions,
      int producers,
      int recordsPerSecond,
      int consumers,
      History history) {
    this.bootstrap = bootstrap;
    this.topic = topic;
    this.partitions = partitions;
    this.history = history;
    for (int i = 0; i < producers; i++) {
      int id = i;
      threads.add(start("producer-" + id, () -> produce(id, recordsPerSecond)));
    }
    for (int i = 0; i < consumers; i++) {
      String name = "consumer-" + i;
      KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps(topic + "-group"));
      this.consumers.add(consumer);
      threads.add(start(name, () -> consume(name, topic + "-group", consumer)));
    }
  }

  private static Thread start(String name, Runnable body) {
    Thread thread = new Thread(body, "workload-" + name);
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  private void produce(int id, int recordsPerSecond) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.LINGER_MS_CONFIG, 2);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
      long n = 0;
      long startNanos = System.nanoTime();
      while (running.get()) {
        // Pacing a load generator, not waiting for a condition.
        long due = startNanos + n * 1_000_000_000L / recordsPerSecond;
        LockSupport.parkNanos(due - System.nanoTime());
        String value = "p" + id + "-" + n;
        TopicPartition tp = new TopicPartition(topic, (int) (n++ % partitions));
        history.attempted();
        try {
          producer.send(
              new ProducerRecord<>(topic, tp.partition(), null, value),
              (metadata, e) -> {
                if (e == null) {
                  history.acked(value, tp, metadata.offset());
                } else {
                  history.failed();
                  log.debug("{} not acknowledged: {}", value, e.toString());
                }
              });
        } catch (RuntimeException e) {
          history.failed(); // metadata not available within max.block.ms
        }
      }
      producer.flush();
    } catch (RuntimeException e) {
      log.warn("producer {} stopped: {}", id, e.toString());
    }
  }

  private Properties consumerProps(String group) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
    props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1_000);
    props.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    return props;
  }

  private void consume(String name, String group, KafkaConsumer<byte[], byte[]> consumer) {
    try {
      consumer.subscribe(
          List.of(topic),
          new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> revoked) {}

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
              assigned.forEach(tp -> history.assigned(name, tp));
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> lost) {
              lost.forEach(tp -> history.assigned(name, tp));
            }
          });
      while (running.get()) {
        ConsumerRecords<byte[], byte[]> records;
        try {
          records = consumer.poll(Duration.ofMillis(200));
        } catch (WakeupException e) {
          break;
        } catch (RuntimeException e) {
          // A position reset or a coordinator error; the next poll starts over from what the
          // group committed, which the checker sees as a new assignment.
          history.consumerError(name + " poll: " + e.getMessage());
          consumer.assignment().forEach(tp -> history.assigned(name, tp));
          backOff();
          continue;
        }
        for (ConsumerRecord<byte[], byte[]> r : records) {
          history.polled(
              name,
              new TopicPartition(r.topic(), r.partition()),
              r.offset(),
              new String(r.value(), StandardCharsets.UTF_8));
        }
        if (records.isEmpty()) {
          continue;
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new java.util.HashMap<>();
        for (TopicPartition tp : records.partitions()) {
          List<ConsumerRecord<byte[], byte[]>> of = records.records(tp);
          offsets.put(tp, new OffsetAndMetadata(of.get(of.size() - 1).offset() + 1));
        }
        try {
          consumer.commitSync(offsets, Duration.ofSeconds(10));
          offsets.forEach((tp, o) -> history.committed(group, tp, o.offset()));
        } catch (WakeupException e) {
          break;
        } catch (RuntimeException e) {
          // Not accepted (rebalance, coordinator moving, timeout): the group may re-read these.
          history.consumerError(name + " commit: " + e.getClass().getSimpleName());
          consumer.assignment().forEach(tp -> history.assigned(name, tp));
        }
      }
    } catch (WakeupException e) {
      // stopping
    } catch (RuntimeException e) {
      log.warn("{} stopped: {}", name, e.toString());
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  private static String unreadable(TopicPartition tp, long from, long to, String why) {
    return tp + " offsets " + from + ".." + (to - 1) + " unreadable in the final read: " + why;
  }

  private static void backOff() {
    try {
      Thread.sleep(100); // a failing poll returns at once; do not spin on it
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops producing and consuming; waits for every send to be answered. */
  @Override
  public void close() throws InterruptedException {
    if (!running.compareAndSet(true, false)) {
      return;
    }
    consumers.forEach(KafkaConsumer::wakeup);
    for (Thread thread : threads) {
      thread.join(150_000);
    }
  }

  /**
   * Reads every partition from its first offset to its high watermark with a fresh consumer and
   * puts it in the history. An offset the consumer cannot read (a corrupt batch) is skipped and
   * named; a partition that cannot be read to its end within {@code atMost} is named too. Returns
   * those problems (empty when everything was read).
   */
  public static List<String> finalRead(
      String bootstrap, String topic, int partitions, History history, Duration atMost) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
    List<String> problems = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      for (int p = 0; p < partitions; p++) {
        TopicPartition tp = new TopicPartition(topic, p);
        long deadline = System.currentTimeMillis() + atMost.toMillis();
        long unreadableFrom = -1;
        String unreadableWhy = null;
        try {
          consumer.assign(List.of(tp));
          consumer.seekToBeginning(List.of(tp));
          long end = consumer.endOffsets(List.of(tp), Duration.ofSeconds(30)).get(tp);
          while (consumer.position(tp, Duration.ofSeconds(30)) < end) {
            try {
              for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                history.finalRead(tp, r.offset(), new String(r.value(), StandardCharsets.UTF_8));
              }
            } catch (org.apache.kafka.common.KafkaException e) {
              long at = consumer.position(tp);
              if (unreadableFrom < 0) {
                unreadableFrom = at;
                unreadableWhy = e.getMessage();
              }
              consumer.seek(tp, at + 1);
              continue;
            }
            if (unreadableFrom >= 0) {
              problems.add(unreadable(tp, unreadableFrom, consumer.position(tp), unreadableWhy));
              unreadableFrom = -1;
            }
            if (System.currentTimeMillis() > deadline) {
              problems.add(tp + ": final read stuck at " + consumer.position(tp) + " of " + end);
              break;
            }
          }
          if (unreadableFrom >= 0) {
            problems.add(unreadable(tp, unreadableFrom, consumer.position(tp), unreadableWhy));
          }
          history.finalReadDone(tp);
        } catch (RuntimeException e) {
          problems.add(tp + ": final read failed: " + e);
        }
      }
    }
    return problems;
  }
}
