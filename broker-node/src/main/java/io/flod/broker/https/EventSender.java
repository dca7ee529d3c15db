package io.flod.broker.https;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Utils;

/**
 * Sends HTTPS events into the cluster through a Kafka producer of the broker's own, connected to
 * its own listener. The producer finds each partition's leader, wherever it is, and keeps
 * idempotence and acks=all, so a 201 means what a Kafka producer's acknowledgement means.
 * Partitions are chosen here, as Kafka's default partitioner chooses them for a key (murmur2 of the
 * key's bytes), so an HTTPS and a Kafka publisher with the same key land on the same partition;
 * events without a key go round-robin.
 */
final class EventSender implements AutoCloseable {
  private final Supplier<Map<String, Object>> producerConfig;
  private final Map<String, AtomicInteger> roundRobin = new ConcurrentHashMap<>();
  private KafkaProducer<byte[], byte[]> producer;
  private boolean closed;

  /** {@code producerConfig}: asked once, when the first event arrives (the listener is up). */
  EventSender(Supplier<Map<String, Object>> producerConfig) {
    this.producerConfig = producerConfig;
  }

  /** Sends the events; completes when every one is acknowledged, or with the first failure. */
  CompletableFuture<Void> send(
      String topic, int partitions, List<HttpEvent> events, String boundKey, long timestamp) {
    KafkaProducer<byte[], byte[]> producer = producer();
    CompletableFuture<?>[] acks = new CompletableFuture<?>[events.size()];
    for (int i = 0; i < acks.length; i++) {
      HttpEvent event = events.get(i);
      String key = boundKey != null ? boundKey : event.partitionKey();
      byte[] keyBytes = key == null ? null : key.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      int partition =
          keyBytes == null
              ? Utils.toPositive(next(topic)) % partitions
              : Utils.toPositive(Utils.murmur2(keyBytes)) % partitions;
      CompletableFuture<Void> ack = new CompletableFuture<>();
      producer.send(
          new ProducerRecord<>(
              topic, partition, timestamp, keyBytes, event.body(), List.of(event.properties())),
          (metadata, error) -> {
            if (error == null) {
              ack.complete(null);
            } else {
              ack.completeExceptionally(error);
            }
          });
      acks[i] = ack;
    }
    return CompletableFuture.allOf(acks);
  }

  private int next(String topic) {
    return roundRobin.computeIfAbsent(topic, t -> new AtomicInteger()).getAndIncrement();
  }

  private synchronized KafkaProducer<byte[], byte[]> producer() {
    if (closed) {
      throw new IllegalStateException("the broker is shutting down");
    }
    if (producer == null) {
      producer =
          new KafkaProducer<>(
              producerConfig.get(), new ByteArraySerializer(), new ByteArraySerializer());
    }
    return producer;
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (producer != null) {
      producer.close(java.time.Duration.ofSeconds(5));
    }
  }
}
