package io.flod.broker.log;

import io.flod.broker.storage.AtomicFiles;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partition logs of one data directory ({@code <data-dir>/logs}), one sub-directory per
 * partition named {@code <topic>-<partition>}.
 *
 * <p>Crash detection: {@code .clean-shutdown} is written as the very last step of a clean close and
 * removed at start-up, so its absence at start means the previous run crashed and logs must be
 * recovered from their recovery points, which {@code recovery-point-offset-checkpoint} (lines of
 * {@code topic partition offset}) records every {@code log.flush.offset.checkpoint.interval.ms}.
 *
 * <p>{@code replication-offset-checkpoint} (same format, written at the same times and at a clean
 * close) records each partition's high watermark, as Kafka's file of that name does: a restarted
 * replica exposes only what it knew to be committed, and a partition without an entry starts with
 * its high watermark at the log start until its leader (or in-sync followers) confirm more.
 *
 * <p>{@code .incarnation} holds a random id made with the directory (and lost with it): the
 * incarnation under which this broker's replicas enter an ISR. A broker restarted on an emptied
 * directory is a new incarnation, which the controller never elects from an old ISR entry. So is
 * one whose directory lost by hand a partition that had committed records (its directory removed,
 * or left without a segment, while the high-watermark checkpoint names it above offset 0): no ISR
 * counts this broker again for any partition until it has caught up under the new id.
 */
public final class LogManager implements Closeable {
  private static final Logger log = LoggerFactory.getLogger(LogManager.class);
  private static final String CLEAN_SHUTDOWN_MARKER = ".clean-shutdown";
  private static final String RECOVERY_CHECKPOINT = "recovery-point-offset-checkpoint";
  private static final String HIGH_WATERMARK_CHECKPOINT = "replication-offset-checkpoint";
  private static final String INCARNATION = ".incarnation";
  private static final String DELETE_SUFFIX = "-delete";

  private final Path logsDir;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;
  private final boolean previousShutdownClean;
  private final Map<TopicPartition, Long> checkpointedRecoveryPoints;
  private final Map<TopicPartition, Long> checkpointedHighWatermarks;
  private final Map<TopicPartition, PartitionLog> logs = new ConcurrentHashMap<>();
  private final String incarnation;
  private int cleanerMapBytes = 1 << 20;
  private KeyOffsetMap cleanerMap; // used by the compaction task only

  public LogManager(Path logsDir, Clock clock, ScheduledExecutorService scheduler) {
    this.logsDir = logsDir;
    this.clock = clock;
    this.scheduler = scheduler;
    try {
      Files.createDirectories(logsDir);
      Path marker = logsDir.resolve(CLEAN_SHUTDOWN_MARKER);
      previousShutdownClean = Files.exists(marker);
      checkpointedRecoveryPoints = readCheckpoint(RECOVERY_CHECKPOINT);
      checkpointedHighWatermarks = readCheckpoint(HIGH_WATERMARK_CHECKPOINT);
      Files.deleteIfExists(marker);
      incarnation = loadOrCreateIncarnation(partitionsLostByHand());
      AtomicFiles.fsyncDirectory(logsDir);
      removeLeftoverDeletions();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open log directory " + logsDir, e);
    }
    if (!previousShutdownClean && !checkpointedRecoveryPoints.isEmpty()) {
      log.warn("logdir={} previous shutdown was not clean: recovering logs", logsDir);
    }
  }

  /**
   * Schedules retention, flushes, recovery checkpoints and compaction, which shares one key map of
   * {@code cleanerMapBytes} (allocated when a log first needs it).
   */
  public void startBackgroundTasks(
      long retentionCheckMs,
      long flushCheckMs,
      long checkpointIntervalMs,
      long cleanerBackoffMs,
      int cleanerMapBytes) {
    this.cleanerMapBytes = cleanerMapBytes;
    scheduler.scheduleWithFixedDelay(
        this::compactLogs, cleanerBackoffMs, cleanerBackoffMs, TimeUnit.MILLISECONDS);
    scheduler.scheduleWithFixedDelay(
        this::applyRetention, retentionCheckMs, retentionCheckMs, TimeUnit.MILLISECONDS);
    scheduler.scheduleWithFixedDelay(
        () -> logs.values().forEach(PartitionLog::flushIfDue),
        flushCheckMs,
        flushCheckMs,
        TimeUnit.MILLISECONDS);
    scheduler.scheduleWithFixedDelay(
        this::checkpointRecoveryPoints,
        checkpointIntervalMs,
        checkpointIntervalMs,
        TimeUnit.MILLISECONDS);
  }

  /**
   * Every {@code checkIntervalMs}, forgets the idempotent producers of every log that appended
   * nothing for {@code expirationMs} ({@code producer.id.expiration.ms}).
   */
  public void startProducerExpiration(long expirationMs, long checkIntervalMs) {
    scheduler.scheduleWithFixedDelay(
        () -> expireProducers(expirationMs),
        checkIntervalMs,
        checkIntervalMs,
        TimeUnit.MILLISECONDS);
  }

  /** Forgets, in every log, producers idle for {@code expirationMs}; returns how many. */
  public int expireProducers(long expirationMs) {
    int expired = 0;
    for (PartitionLog partitionLog : logs.values()) {
      try {
        expired += partitionLog.expireProducers(expirationMs);
      } catch (RuntimeException e) {
        log.error("partition={} producer expiry failed", partitionLog.topicPartition(), e);
      }
    }
    if (expired > 0) {
      log.info(
          "logdir={} forgot {} idle producer ids (producer.id.expiration.ms={})",
          logsDir,
          expired,
          expirationMs);
    }
    return expired;
  }

  /** The id of this directory's incarnation (see the class comment). */
  public String incarnation() {
    return incarnation;
  }

  private String loadOrCreateIncarnation(List<TopicPartition> lost) throws IOException {
    Path file = logsDir.resolve(INCARNATION);
    if (Files.exists(file)) {
      String id = Files.readString(file, StandardCharsets.UTF_8).trim();
      if (!id.isEmpty() && lost.isEmpty()) {
        return id;
      }
      if (!id.isEmpty()) {
        log.warn(
            "logdir={} partitions {} lost committed records they held (directory removed or left"
                + " without a segment): leaving incarnation {}, so that no ISR counts this broker"
                + " until it has caught up again",
            logsDir,
            lost,
            id);
      }
    }
    String id = Uuid.randomUuid().toString();
    AtomicFiles.write(file, id.getBytes(StandardCharsets.UTF_8));
    log.info("logdir={} new incarnation {}", logsDir, id);
    return id;
  }

  /**
   * Partitions the high-watermark checkpoint names above offset 0 whose directory is gone or holds
   * no segment: their committed records were removed by hand. (A log cut short by a crash keeps its
   * segments and is not counted: that is recovery's business, as in Kafka.)
   */
  private List<TopicPartition> partitionsLostByHand() throws IOException {
    List<TopicPartition> lost = new ArrayList<>();
    for (Map.Entry<TopicPartition, Long> e : checkpointedHighWatermarks.entrySet()) {
      if (e.getValue() <= 0) {
        continue;
      }
      Path dir = logsDir.resolve(e.getKey().topic() + "-" + e.getKey().partition());
      boolean hasSegment = false;
      if (Files.isDirectory(dir)) {
        try (Stream<Path> files = Files.list(dir)) {
          hasSegment = files.anyMatch(f -> f.getFileName().toString().endsWith(".log"));
        }
      }
      if (!hasSegment) {
        lost.add(e.getKey());
      }
    }
    lost.sort(Comparator.comparing(TopicPartition::toString));
    return lost;
  }

  public boolean previousShutdownClean() {
    return previousShutdownClean;
  }

  /** Opens the partition's log, recovering it if the last shutdown was not clean. */
  public PartitionLog getOrCreate(TopicPartition tp, LogConfig config) {
    return logs.computeIfAbsent(
        tp,
        key ->
            PartitionLog.open(
                key,
                logsDir.resolve(key.topic() + "-" + key.partition()),
                config,
                previousShutdownClean,
                checkpointedRecoveryPoints.getOrDefault(key, 0L),
                checkpointedHighWatermarks.getOrDefault(key, 0L),
                clock,
                scheduler));
  }

  public Optional<PartitionLog> get(TopicPartition tp) {
    return Optional.ofNullable(logs.get(tp));
  }

  /** Partitions with a directory on disk, whether or not their log is open. */
  public Set<TopicPartition> partitionsOnDisk() {
    Set<TopicPartition> found = new HashSet<>();
    try (Stream<Path> dirs = Files.list(logsDir)) {
      for (Path dir : dirs.filter(Files::isDirectory).toList()) {
        String name = dir.getFileName().toString();
        int dash = name.lastIndexOf('-');
        if (dash > 0 && !name.endsWith(DELETE_SUFFIX)) {
          try {
            found.add(
                new TopicPartition(
                    name.substring(0, dash), Integer.parseInt(name.substring(dash + 1))));
          } catch (NumberFormatException notAPartition) {
            log.warn("logdir={} ignoring unexpected directory {}", logsDir, name);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + logsDir, e);
    }
    return found;
  }

  /**
   * Removes a partition's log: its directory is renamed at once (so a restart never resurrects it)
   * and deleted in the background.
   */
  public void delete(TopicPartition tp) {
    PartitionLog removed = logs.remove(tp);
    Path dir = logsDir.resolve(tp.topic() + "-" + tp.partition());
    Path renamed = logsDir.resolve(dir.getFileName() + "." + Uuid.randomUuid() + DELETE_SUFFIX);
    try {
      if (Files.exists(dir)) {
        Files.move(dir, renamed);
        AtomicFiles.fsyncDirectory(logsDir);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete log " + tp, e);
    }
    // At once, not at the next interval: a checkpoint naming a partition with no directory would
    // read at the next start as records removed by hand.
    checkpointRecoveryPoints();
    scheduler.execute(
        () -> {
          if (removed != null) {
            removed.closeAndDelete();
          }
          deleteRecursively(renamed);
        });
  }

  private void applyRetention() {
    for (PartitionLog partitionLog : logs.values()) {
      try {
        partitionLog.deleteRetainedSegments();
      } catch (RuntimeException e) {
        log.error("partition={} retention failed", partitionLog.topicPartition(), e);
      }
    }
  }

  private void compactLogs() {
    for (PartitionLog partitionLog : logs.values()) {
      if (!partitionLog.config().compact()) {
        continue;
      }
      try {
        if (cleanerMap == null) {
          cleanerMap = new KeyOffsetMap(cleanerMapBytes);
        }
        partitionLog.compact(cleanerMap);
      } catch (RuntimeException e) {
        log.error("partition={} compaction failed", partitionLog.topicPartition(), e);
      }
    }
  }

  /**
   * Writes every open log's recovery point and high watermark. Synchronized: the timer and a
   * deletion may write at once, through the same temporary file.
   */
  public synchronized void checkpointRecoveryPoints() {
    writeCheckpoint(RECOVERY_CHECKPOINT, PartitionLog::recoveryPoint);
    writeCheckpoint(HIGH_WATERMARK_CHECKPOINT, PartitionLog::highWatermark);
  }

  private void writeCheckpoint(String name, java.util.function.ToLongFunction<PartitionLog> value) {
    StringBuilder out = new StringBuilder("0\n").append(logs.size()).append('\n');
    for (PartitionLog partitionLog : logs.values()) {
      TopicPartition tp = partitionLog.topicPartition();
      out.append(tp.topic())
          .append(' ')
          .append(tp.partition())
          .append(' ')
          .append(value.applyAsLong(partitionLog))
          .append('\n');
    }
    try {
      AtomicFiles.write(logsDir.resolve(name), out.toString().getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      log.error("logdir={} cannot write {}", logsDir, name, e);
    }
  }

  private Map<TopicPartition, Long> readCheckpoint(String name) throws IOException {
    Map<TopicPartition, Long> points = new HashMap<>();
    Path file = logsDir.resolve(name);
    if (!Files.exists(file)) {
      return points;
    }
    var lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (String line : lines.subList(Math.min(2, lines.size()), lines.size())) {
      String[] parts = line.trim().split(" ");
      if (parts.length == 3) {
        points.put(
            new TopicPartition(parts[0], Integer.parseInt(parts[1])), Long.parseLong(parts[2]));
      }
    }
    return points;
  }

  private void removeLeftoverDeletions() throws IOException {
    try (Stream<Path> dirs = Files.list(logsDir)) {
      dirs.filter(d -> d.getFileName().toString().endsWith(DELETE_SUFFIX))
          .forEach(LogManager::deleteRecursively);
    }
  }

  private static void deleteRecursively(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      log.warn("cannot delete {}: {}", root, e.toString());
    }
  }

  /**
   * Closes every log, then writes the recovery checkpoint and the clean-shutdown marker. The marker
   * is written only when every log was flushed and closed and the checkpoint is on disk; otherwise
   * this throws once every other log is closed, and the next start recovers.
   */
  @Override
  public void close() {
    List<TopicPartition> failed = new ArrayList<>();
    for (PartitionLog partitionLog : logs.values()) {
      try {
        partitionLog.close();
      } catch (RuntimeException e) {
        failed.add(partitionLog.topicPartition());
        log.error(
            "logdir={} tp={} cannot close its log", logsDir, partitionLog.topicPartition(), e);
      }
    }
    if (!failed.isEmpty()) {
      throw new IllegalStateException(
          "logs "
              + failed
              + " in "
              + logsDir
              + " were not closed cleanly: no clean-shutdown marker");
    }
    checkpointRecoveryPoints();
    try {
      Files.writeString(logsDir.resolve(CLEAN_SHUTDOWN_MARKER), "");
      AtomicFiles.fsyncDirectory(logsDir);
    } catch (IOException e) {
      log.error("logdir={} cannot write clean-shutdown marker", logsDir, e);
    }
  }
}
