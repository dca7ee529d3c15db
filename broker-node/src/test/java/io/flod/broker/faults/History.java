package io.flod.broker.faults;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;

/**
 * What the workload saw, as Jepsen's Kafka workload records it: every acknowledged write, every
 * record each consumer polled in order (with the points where its assignment changed), every
 * committed offset the broker accepted, the final read of every partition, and each replica's log
 * below the high watermark after healing. Safe to add to from many threads; the checkers read it
 * once the run is over.
 */
public final class History {
  /** An acknowledged write: {@code value} is at {@code offset} of {@code tp}. */
  public record Write(String value, TopicPartition tp, long offset, long ackedAtMs) {}

  /**
   * One step of a consumer's history: a record it polled, or (with {@code offset} -1) the moment it
   * was assigned {@code tp} anew, after which it may start anywhere its group committed.
   */
  public record Read(String consumer, TopicPartition tp, long offset, String value) {
    static Read assigned(String consumer, TopicPartition tp) {
      return new Read(consumer, tp, -1, null);
    }

    boolean isAssignment() {
      return offset < 0;
    }
  }

  /** A commit the coordinator accepted, in the order the acceptances were seen. */
  public record Commit(String group, TopicPartition tp, long offset, long sequence) {}

  /**
   * A replica's batches (base-last:crc) below the high watermark, as its segment files hold them.
   */
  public record ReplicaLog(
      TopicPartition tp, int broker, long highWatermark, List<String> batches) {}

  private final long startMs = System.currentTimeMillis();
  final List<Write> writes = new CopyOnWriteArrayList<>();
  final AtomicLong attempted = new AtomicLong();
  final AtomicLong failed = new AtomicLong();
  final Map<String, List<Read>> reads = new ConcurrentHashMap<>();
  final List<Commit> commits = new CopyOnWriteArrayList<>();
  private final AtomicLong commitSequence = new AtomicLong();
  final Map<TopicPartition, NavigableMap<Long, String>> finalRead = new ConcurrentHashMap<>();
  final List<ReplicaLog> replicaLogs = new CopyOnWriteArrayList<>();
  final Map<String, AtomicLong> consumerErrors = new ConcurrentHashMap<>();

  /** Milliseconds since the history began. */
  public long now() {
    return System.currentTimeMillis() - startMs;
  }

  public void attempted() {
    attempted.incrementAndGet();
  }

  public void failed() {
    failed.incrementAndGet();
  }

  /** A consumer's poll or commit failed with {@code what}; counted per distinct message. */
  public void consumerError(String what) {
    consumerErrors.computeIfAbsent(what, k -> new AtomicLong()).incrementAndGet();
  }

  public void acked(String value, TopicPartition tp, long offset) {
    writes.add(new Write(value, tp, offset, now()));
  }

  public void assigned(String consumer, TopicPartition tp) {
    reads
        .computeIfAbsent(consumer, c -> new CopyOnWriteArrayList<>())
        .add(Read.assigned(consumer, tp));
  }

  public void polled(String consumer, TopicPartition tp, long offset, String value) {
    reads
        .computeIfAbsent(consumer, c -> new CopyOnWriteArrayList<>())
        .add(new Read(consumer, tp, offset, value));
  }

  public void committed(String group, TopicPartition tp, long offset) {
    commits.add(new Commit(group, tp, offset, commitSequence.incrementAndGet()));
  }

  public void finalRead(TopicPartition tp, long offset, String value) {
    finalRead.computeIfAbsent(tp, k -> new TreeMap<>()).put(offset, value);
  }

  /** Marks {@code tp} as read in full even if it holds nothing. */
  public void finalReadDone(TopicPartition tp) {
    finalRead.computeIfAbsent(tp, k -> new TreeMap<>());
  }

  public void replicaLog(TopicPartition tp, int broker, long highWatermark, List<String> batches) {
    replicaLogs.add(new ReplicaLog(tp, broker, highWatermark, List.copyOf(batches)));
  }

  public List<Write> writes() {
    return new ArrayList<>(writes);
  }

  public long attemptedCount() {
    return attempted.get();
  }

  public long failedCount() {
    return failed.get();
  }
}
