package io.flod.broker.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * A real {@link KafkaConsumer} in a consumer group, polling on its own thread: it records every
 * record it processes and commits synchronously after each poll. Stopping closes it either leaving
 * the group or, like a crashed process, remaining in it until its session expires.
 */
public final class GroupMemberThread implements AutoCloseable {
  /** (partition, offset) pairs processed, per member, in order. */
  public final List<long[]> processed = new CopyOnWriteArrayList<>();

  public final Set<TopicPartition> assignment = ConcurrentHashMap.newKeySet();
  public final List<Set<TopicPartition>> revocations = new CopyOnWriteArrayList<>();
  private final KafkaConsumer<String, String> consumer;
  private final Thread thread;
  private final AtomicReference<CloseOptions.GroupMembershipOperation> stopping =
      new AtomicReference<>();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private volatile boolean paused;

  public GroupMemberThread(
      Properties props, String topic, Map<TopicPartition, List<Long>> allProcessed) {
    consumer = new KafkaConsumer<>(props);
    thread =
        new Thread(
            () -> run(topic, allProcessed),
            "member-" + props.getProperty("group.id") + "-" + System.nanoTime());
    thread.start();
  }

  private void run(String topic, Map<TopicPartition, List<Long>> allProcessed) {
    try {
      consumer.subscribe(
          List.of(topic),
          new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
              revocations.add(Set.copyOf(partitions));
              assignment.removeAll(partitions);
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
              assignment.addAll(partitions);
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
              assignment.removeAll(partitions);
            }
          });
      while (stopping.get() == null) {
        while (paused && stopping.get() == null) {
          Thread.sleep(10); // a stuck processing loop: no poll() for as long as it lasts
        }
        ConsumerRecords<String, String> records;
        try {
          records = consumer.poll(Duration.ofMillis(100));
        } catch (WakeupException stop) {
          break;
        }
        List<ConsumerRecord<String, String>> batch = new ArrayList<>();
        records.forEach(batch::add);
        for (ConsumerRecord<String, String> r : batch) {
          processed.add(new long[] {r.partition(), r.offset()});
          allProcessed
              .computeIfAbsent(
                  new TopicPartition(r.topic(), r.partition()), k -> new CopyOnWriteArrayList<>())
              .add(r.offset());
        }
        if (!batch.isEmpty()) {
          try {
            consumer.commitSync();
          } catch (org.apache.kafka.clients.consumer.CommitFailedException
              | org.apache.kafka.common.errors.RebalanceInProgressException e) {
            // The group moved on; these records may be redelivered to the new owner.
          } catch (WakeupException stop) {
            break;
          }
        }
      }
    } catch (Throwable t) {
      failure.set(t);
    } finally {
      CloseOptions.GroupMembershipOperation op = stopping.get();
      consumer.close(
          CloseOptions.groupMembershipOperation(
                  op == null ? CloseOptions.GroupMembershipOperation.LEAVE_GROUP : op)
              .withTimeout(Duration.ofSeconds(10)));
    }
  }

  /** Stops (or resumes) calling poll(), as an application stuck in processing would. */
  public void pausePolling(boolean pause) {
    paused = pause;
  }

  public Throwable failure() {
    return failure.get();
  }

  /**
   * Stops polling and closes; {@code leave} false keeps the membership until the session expires.
   */
  public void stop(boolean leave) throws InterruptedException {
    stopping.compareAndSet(
        null,
        leave
            ? CloseOptions.GroupMembershipOperation.LEAVE_GROUP
            : CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP);
    consumer.wakeup();
    thread.join(30_000);
  }

  @Override
  public void close() throws InterruptedException {
    stop(true);
  }
}
