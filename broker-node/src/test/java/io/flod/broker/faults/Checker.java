package io.flod.broker.faults;

import io.flod.broker.faults.History.Commit;
import io.flod.broker.faults.History.Read;
import io.flod.broker.faults.History.ReplicaLog;
import io.flod.broker.faults.History.Write;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.TopicPartition;

/**
 * The anomalies of Jepsen's Kafka workload, found in a {@link History}. Each anomaly names the
 * records and offsets involved. Offsets are dense here (no transactions, no compaction on the
 * workload's topic), so a consumer that moves by more than one offset has skipped records.
 */
public final class Checker {
  /** The kinds of anomaly, as Jepsen names them where it has a name. */
  public enum Kind {
    /** An acknowledged write absent from the final read. */
    LOST_WRITE,
    /** A value found at more than one offset. */
    DUPLICATE,
    /** One offset of a partition seen holding different values (by any reads or the ack). */
    INCONSISTENT_OFFSET,
    /** A consumer moved forward by more than one offset without a new assignment. */
    POLL_SKIP,
    /** A consumer read an offset at or below one it had already read, without a new assignment. */
    NONMONOTONIC_POLL,
    /** A group's accepted committed offset for a partition went below an earlier accepted one. */
    COMMIT_BACKWARDS,
    /** Two replicas' logs differ below the high watermark after healing. */
    REPLICA_DIVERGENCE
  }

  public record Anomaly(Kind kind, String detail) {
    @Override
    public String toString() {
      return kind + ": " + detail;
    }
  }

  private Checker() {}

  /** Every anomaly in {@code history}, in the order of {@link Kind}. */
  public static List<Anomaly> check(History history) {
    List<Anomaly> found = new ArrayList<>();
    found.addAll(lostWrites(history));
    found.addAll(duplicates(history));
    found.addAll(inconsistentOffsets(history));
    found.addAll(pollOrder(history));
    found.addAll(commitsBackwards(history));
    found.addAll(replicaDivergence(history));
    return found;
  }

  public static Map<Kind, Integer> counts(List<Anomaly> anomalies) {
    Map<Kind, Integer> counts = new EnumMap<>(Kind.class);
    for (Kind kind : Kind.values()) {
      counts.put(kind, 0);
    }
    anomalies.forEach(a -> counts.merge(a.kind(), 1, Integer::sum));
    return counts;
  }

  static List<Anomaly> lostWrites(History history) {
    List<Anomaly> found = new ArrayList<>();
    Map<TopicPartition, Set<String>> present = new HashMap<>();
    history.finalRead.forEach((tp, values) -> present.put(tp, Set.copyOf(values.values())));
    for (Write w : history.writes) {
      Set<String> values = present.get(w.tp());
      if (values == null) {
        continue; // the partition was not read back; reported by the final read itself
      }
      if (!values.contains(w.value())) {
        NavigableMap<Long, String> read = history.finalRead.get(w.tp());
        found.add(
            new Anomaly(
                Kind.LOST_WRITE,
                w.tp()
                    + " offset "
                    + w.offset()
                    + ": acknowledged "
                    + w.value()
                    + " (at "
                    + w.ackedAtMs()
                    + " ms), final read has "
                    + (read.containsKey(w.offset())
                        ? read.get(w.offset())
                        : "nothing (log ends at " + (read.isEmpty() ? 0 : read.lastKey() + 1) + ")")
                    + " there"));
      }
    }
    return found;
  }

  /** Every (partition, offset, value) observation: acknowledgements, polls and the final read. */
  private static Map<TopicPartition, TreeMap<Long, Map<String, String>>> observations(
      History history) {
    Map<TopicPartition, TreeMap<Long, Map<String, String>>> seen = new HashMap<>();
    for (Write w : history.writes) {
      seen.computeIfAbsent(w.tp(), k -> new TreeMap<>())
          .computeIfAbsent(w.offset(), k -> new LinkedHashMap<>())
          .putIfAbsent(w.value(), "ack");
    }
    history.reads.forEach(
        (consumer, reads) -> {
          for (Read r : reads) {
            if (!r.isAssignment()) {
              seen.computeIfAbsent(r.tp(), k -> new TreeMap<>())
                  .computeIfAbsent(r.offset(), k -> new LinkedHashMap<>())
                  .putIfAbsent(r.value(), "poll by " + consumer);
            }
          }
        });
    history.finalRead.forEach(
        (tp, values) ->
            values.forEach(
                (offset, value) ->
                    seen.computeIfAbsent(tp, k -> new TreeMap<>())
                        .computeIfAbsent(offset, k -> new LinkedHashMap<>())
                        .putIfAbsent(value, "final read")));
    return seen;
  }

  static List<Anomaly> duplicates(History history) {
    List<Anomaly> found = new ArrayList<>();
    Map<String, TreeSet<String>> where = new TreeMap<>();
    observations(history)
        .forEach(
            (tp, offsets) ->
                offsets.forEach(
                    (offset, values) ->
                        values
                            .keySet()
                            .forEach(
                                v ->
                                    where
                                        .computeIfAbsent(v, k -> new TreeSet<>())
                                        .add(tp + "@" + offset))));
    where.forEach(
        (value, places) -> {
          if (places.size() > 1) {
            found.add(new Anomaly(Kind.DUPLICATE, value + " at " + places));
          }
        });
    return found;
  }

  static List<Anomaly> inconsistentOffsets(History history) {
    List<Anomaly> found = new ArrayList<>();
    observations(history)
        .forEach(
            (tp, offsets) ->
                offsets.forEach(
                    (offset, values) -> {
                      if (values.size() > 1) {
                        found.add(
                            new Anomaly(
                                Kind.INCONSISTENT_OFFSET,
                                tp + " offset " + offset + ": " + values));
                      }
                    }));
    return found;
  }

  static List<Anomaly> pollOrder(History history) {
    List<Anomaly> found = new ArrayList<>();
    history.reads.forEach(
        (consumer, reads) -> {
          Map<TopicPartition, Long> last = new HashMap<>();
          for (Read r : reads) {
            if (r.isAssignment()) {
              last.remove(r.tp());
              continue;
            }
            Long previous = last.put(r.tp(), r.offset());
            if (previous == null) {
              continue;
            }
            if (r.offset() <= previous) {
              found.add(
                  new Anomaly(
                      Kind.NONMONOTONIC_POLL,
                      consumer
                          + " read "
                          + r.tp()
                          + " offset "
                          + r.offset()
                          + " ("
                          + r.value()
                          + ") after offset "
                          + previous));
            } else if (r.offset() > previous + 1) {
              found.add(
                  new Anomaly(
                      Kind.POLL_SKIP,
                      consumer
                          + " skipped "
                          + r.tp()
                          + " offsets "
                          + (previous + 1)
                          + ".."
                          + (r.offset() - 1)
                          + " (read "
                          + previous
                          + " then "
                          + r.offset()
                          + ")"));
            }
          }
        });
    return found;
  }

  static List<Anomaly> commitsBackwards(History history) {
    List<Anomaly> found = new ArrayList<>();
    Map<String, Commit> highest = new HashMap<>();
    history.commits.stream()
        .sorted(java.util.Comparator.comparingLong(Commit::sequence))
        .forEach(
            c -> {
              String key = c.group() + "/" + c.tp();
              Commit before = highest.get(key);
              if (before != null && c.offset() < before.offset()) {
                found.add(
                    new Anomaly(
                        Kind.COMMIT_BACKWARDS,
                        "group "
                            + c.group()
                            + " "
                            + c.tp()
                            + " committed "
                            + c.offset()
                            + " after "
                            + before.offset()
                            + " (commits #"
                            + before.sequence()
                            + ", #"
                            + c.sequence()
                            + ")"));
              }
              if (before == null || c.offset() > before.offset()) {
                highest.put(key, c);
              }
            });
    return found;
  }

  static List<Anomaly> replicaDivergence(History history) {
    List<Anomaly> found = new ArrayList<>();
    Map<TopicPartition, List<ReplicaLog>> byPartition =
        new TreeMap<>(
            java.util.Comparator.comparing(TopicPartition::topic)
                .thenComparingInt(TopicPartition::partition));
    history.replicaLogs.forEach(
        l -> byPartition.computeIfAbsent(l.tp(), k -> new ArrayList<>()).add(l));
    byPartition.forEach(
        (tp, logs) -> {
          ReplicaLog reference = logs.get(0);
          for (ReplicaLog other : logs.subList(1, logs.size())) {
            List<String> a = reference.batches();
            List<String> b = other.batches();
            if (a.equals(b)) {
              continue;
            }
            int at = 0;
            while (at < a.size() && at < b.size() && a.get(at).equals(b.get(at))) {
              at++;
            }
            found.add(
                new Anomaly(
                    Kind.REPLICA_DIVERGENCE,
                    tp
                        + " below high watermark "
                        + reference.highWatermark()
                        + ": broker "
                        + reference.broker()
                        + " has "
                        + (at < a.size() ? a.get(at) : "nothing")
                        + " where broker "
                        + other.broker()
                        + " has "
                        + (at < b.size() ? b.get(at) : "nothing")
                        + " (batch #"
                        + at
                        + " of "
                        + a.size()
                        + " and "
                        + b.size()
                        + ")"));
          }
        });
    return found;
  }
}
