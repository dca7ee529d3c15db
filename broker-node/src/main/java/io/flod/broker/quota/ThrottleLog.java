package io.flod.broker.quota;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.apache.kafka.common.Uuid;

/**
 * Which partitions this broker throttled in the last five minutes, for the cluster's throttling
 * report: for each direction and partition, the seconds in which a request carrying it was
 * throttled (or, over HTTPS, refused), and the bytes and events it carried in its busiest such
 * second. Written only when a request is throttled, so it costs nothing while a cluster stays
 * within its quota.
 */
public final class ThrottleLog {
  public static final int WINDOW_SECONDS = 300;

  /**
   * A partition's share of a throttled request; partition -1: not chosen yet (HTTPS 429). The topic
   * is named, or (as produce requests from v13 do) identified by id only: then {@code topic} is
   * empty and the log looks the name up.
   */
  public record Load(String topic, Uuid topicId, int partition, long bytes, long events) {
    public Load(String topic, int partition, long bytes, long events) {
      this(topic, Uuid.ZERO_UUID, partition, bytes, events);
    }
  }

  /** One partition's throttling in the window. */
  public record Entry(
      String direction,
      String topic,
      int partition,
      long peakBytesPerSecond,
      long peakEventsPerSecond,
      int throttledSeconds,
      long lastThrottledAtMs) {}

  private record Key(String direction, String topic, int partition) {}

  private final LongSupplier clockMs;
  private final Function<Uuid, Optional<String>> topicNames;

  /** Per partition, its throttled seconds, oldest first: {second, bytes, events}. */
  private final Map<Key, Deque<long[]>> seconds = new HashMap<>();

  public ThrottleLog(LongSupplier clockMs, Function<Uuid, Optional<String>> topicNames) {
    this.clockMs = clockMs;
    this.topicNames = topicNames;
  }

  public synchronized void throttled(String direction, List<Load> loads) {
    long second = clockMs.getAsLong() / 1000;
    for (Load load : loads) {
      String topic =
          load.topic() != null && !load.topic().isEmpty()
              ? load.topic()
              : topicNames.apply(load.topicId()).orElse(load.topicId().toString());
      Deque<long[]> history =
          seconds.computeIfAbsent(
              new Key(direction, topic, load.partition()), k -> new ArrayDeque<>());
      long[] last = history.peekLast();
      if (last == null || last[0] != second) {
        last = new long[] {second, 0, 0};
        history.addLast(last);
      }
      last[1] += load.bytes();
      last[2] += load.events();
    }
  }

  /** The window's entries, busiest first. */
  public synchronized List<Entry> snapshot() {
    long oldest = clockMs.getAsLong() / 1000 - WINDOW_SECONDS;
    List<Entry> entries = new ArrayList<>();
    Iterator<Map.Entry<Key, Deque<long[]>>> it = seconds.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<Key, Deque<long[]>> partition = it.next();
      Deque<long[]> history = partition.getValue();
      while (!history.isEmpty() && history.peekFirst()[0] < oldest) {
        history.removeFirst();
      }
      if (history.isEmpty()) {
        it.remove();
        continue;
      }
      long peakBytes = 0;
      long peakEvents = 0;
      for (long[] s : history) {
        peakBytes = Math.max(peakBytes, s[1]);
        peakEvents = Math.max(peakEvents, s[2]);
      }
      Key key = partition.getKey();
      entries.add(
          new Entry(
              key.direction(),
              key.topic(),
              key.partition(),
              peakBytes,
              peakEvents,
              history.size(),
              history.peekLast()[0] * 1000));
    }
    entries.sort(Comparator.comparingLong(Entry::peakBytesPerSecond).reversed());
    return entries;
  }
}
