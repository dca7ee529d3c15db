package io.flod.broker.support;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * An idempotent {@code acks=all} producer writing unique values round-robin over a topic's
 * partitions at a steady pace, remembering the offset of every acknowledged record, and the check
 * that matters afterwards: every acknowledged record is read back at its offset, once.
 */
public final class SteadyProducer implements AutoCloseable {
  private final String topic;
  private final int partitions;
  private final KafkaProducer<String, String> producer;
  private final Map<TopicPartition, Map<Long, String>> acked = new ConcurrentHashMap<>();
  private final AtomicReference<Exception> error = new AtomicReference<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Thread thread;

  private SteadyProducer(
      String bootstrap, String topic, int partitions, int valueBytes, int recordsPerSecond) {
    this.topic = topic;
    this.partitions = partitions;
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.LINGER_MS_CONFIG, 2);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    this.producer = new KafkaProducer<>(props);
    String padding = "x".repeat(Math.max(0, valueBytes - 20));
    this.thread =
        new Thread(
            () -> {
              long n = 0;
              long startNanos = System.nanoTime();
              while (running.get()) {
                if (recordsPerSecond > 0) {
                  // Pacing a load generator, not waiting for a condition.
                  long dueNanos = startNanos + n * 1_000_000_000L / recordsPerSecond;
                  java.util.concurrent.locks.LockSupport.parkNanos(dueNanos - System.nanoTime());
                }
                String value = "value-" + n + "-" + padding;
                TopicPartition tp = new TopicPartition(topic, (int) (n++ % partitions));
                producer.send(
                    new ProducerRecord<>(topic, tp.partition(), null, value),
                    (metadata, e) -> {
                      if (e == null) {
                        acked
                            .computeIfAbsent(tp, k -> new ConcurrentHashMap<>())
                            .put(metadata.offset(), value);
                      } else {
                        error.compareAndSet(null, e);
                      }
                    });
                if (n % 20 == 0) {
                  producer.flush(); // a steady rate, not an unbounded backlog
                }
              }
            },
            "steady-producer-" + topic);
    thread.start();
  }

  public static SteadyProducer start(String bootstrap, String topic, int partitions) {
    return new SteadyProducer(bootstrap, topic, partitions, 0, 0);
  }

  /** Values of about {@code valueBytes} bytes, at most {@code recordsPerSecond}. */
  public static SteadyProducer start(
      String bootstrap, String topic, int partitions, int valueBytes, int recordsPerSecond) {
    return new SteadyProducer(bootstrap, topic, partitions, valueBytes, recordsPerSecond);
  }

  public int ackedCount() {
    return acked.values().stream().mapToInt(Map::size).sum();
  }

  /** Waits until {@code more} records beyond those acknowledged now are acknowledged. */
  public void awaitMoreAcks(int more, Duration atMost) {
    int before = ackedCount();
    await().atMost(atMost).until(() -> ackedCount() >= before + more || error.get() != null);
    assertNull(error.get(), "the idempotent producer gave up on a record");
  }

  /** One past the last acknowledged offset of {@code tp}. */
  public long ackedEnd(TopicPartition tp) {
    return acked.getOrDefault(tp, Map.of()).keySet().stream()
            .mapToLong(Long::longValue)
            .max()
            .orElse(-1)
        + 1;
  }

  public Exception error() {
    return error.get();
  }

  /** Stops producing and waits for every record in flight to be acknowledged or failed. */
  @Override
  public void close() throws InterruptedException {
    if (running.compareAndSet(true, false)) {
      thread.join(120_000);
      producer.flush();
      producer.close();
    }
  }

  /**
   * Stops producing at once, failing what is in flight: for a test that stops every broker under
   * the producer and does not read back.
   */
  public void abandon() throws InterruptedException {
    if (running.compareAndSet(true, false)) {
      producer.close(Duration.ZERO);
      thread.join(10_000);
    }
  }

  /**
   * Reads every partition back (from any live broker in {@code bootstrap}) and asserts that each
   * acknowledged record is at its offset with its bytes and that no value appears twice; returns
   * what was read.
   */
  public Map<TopicPartition, TreeMap<Long, String>> assertEveryAckedRecordReadBack(String bootstrap)
      throws InterruptedException {
    close();
    assertNull(error.get(), "the idempotent producer gave up on a record");
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    Map<TopicPartition, TreeMap<Long, String>> read =
        new TreeMap<>(java.util.Comparator.comparing(TopicPartition::partition));
    int lost = 0;
    Set<String> seen = new HashSet<>();
    int duplicates = 0;
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      for (int p = 0; p < partitions; p++) {
        TopicPartition tp = new TopicPartition(topic, p);
        Map<Long, String> ackedHere = acked.getOrDefault(tp, Map.of());
        long end = ackedHere.keySet().stream().mapToLong(Long::longValue).max().orElse(-1) + 1;
        TreeMap<Long, String> values = new TreeMap<>();
        consumer.assign(List.of(tp));
        consumer.seekToBeginning(List.of(tp));
        // An acks=1 write is acknowledged before the followers fetch it: the high watermark may
        // trail the last acknowledged offset for a moment, so it is awaited, not read once.
        long awaitUntil = System.currentTimeMillis() + 30_000;
        long highWatermark = consumer.endOffsets(List.of(tp)).get(tp);
        while (highWatermark < end && System.currentTimeMillis() < awaitUntil) {
          Thread.onSpinWait();
          highWatermark = consumer.endOffsets(List.of(tp)).get(tp);
        }
        assertTrue(
            highWatermark >= end,
            tp
                + ": high watermark "
                + highWatermark
                + " below the last acknowledged offset "
                + end);
        long deadline = System.currentTimeMillis() + 60_000;
        while (consumer.position(tp) < end) {
          for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
            String value = new String(record.value(), StandardCharsets.UTF_8);
            values.put(record.offset(), value);
            if (!seen.add(value)) {
              duplicates++;
            }
          }
          assertTrue(
              System.currentTimeMillis() < deadline,
              tp + ": consumer stuck at " + consumer.position(tp) + " of " + end);
        }
        for (Map.Entry<Long, String> e : ackedHere.entrySet()) {
          if (!e.getValue().equals(values.get(e.getKey()))) {
            lost++;
          }
        }
        read.put(tp, values);
      }
    }
    assertEquals(0, lost, "acknowledged records missing or changed");
    assertEquals(0, duplicates, "values written twice");
    assertTrue(ackedCount() > 0, "nothing was acknowledged");
    return read;
  }
}
