package io.flod.broker.faults;

import io.flod.broker.cluster.PartitionState;
import io.flod.broker.faults.Checker.Anomaly;
import io.flod.broker.faults.FaultSchedule.Fault;
import io.flod.broker.faults.FaultSchedule.Kind;
import io.flod.broker.support.ReplicaLogs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of the fault harness: a three-broker {@link FaultCluster}, the {@link Workload} on a
 * replicated topic, a seeded {@link FaultSchedule} carried out fault by fault (inject, hold, heal,
 * wait until every partition has a leader and a full ISR again), then the final read, the replica
 * logs, the {@link Checker} and the figures.
 */
public final class FaultRun {
  private static final Logger log = LoggerFactory.getLogger(FaultRun.class);
  static final String TOPIC = "jepsen";
  private static final String[] BROKER_CONFIGS = {
    "zookeeper.session.timeout.ms=4000",
    "replica.lag.time.max.ms=3000",
    "offsets.topic.num.partitions=3",
    "log.segment.bytes=1048576"
  };

  /** What to run. */
  public record Settings(
      long seed,
      int faults,
      Set<Kind> kinds,
      int partitions,
      int producers,
      int recordsPerSecond,
      int consumers,
      long minHoldMs,
      long maxHoldMs,
      long recoveryMs) {}

  /** What one fault did: when it started, healed and when the cluster was whole again. */
  public record FaultRecord(
      Fault fault,
      String detail,
      long startMs,
      long healedMs,
      long recoveredMs,
      Map<Integer, Long> maxUnavailableMs) {
    boolean recovered() {
      return recoveredMs >= 0;
    }
  }

  /** The figures and anomalies of a run. */
  public record Result(
      Settings settings,
      List<FaultRecord> faults,
      History history,
      List<Anomaly> anomalies,
      List<String> findings,
      String report) {}

  private FaultRun() {}

  public static Result run(Path dir, Settings settings) throws Exception {
    Set<Kind> kinds = EnumSet.copyOf(settings.kinds());
    List<String> findings = new ArrayList<>();
    boolean tmpfs = false;
    if (kinds.contains(Kind.FILL_LEADER_DISK)) {
      tmpfs = FaultCluster.TmpfsDisk.mountPermitted(dir);
      if (!tmpfs) {
        findings.add(
            "FILL_LEADER_DISK left out: this process may not mount a tmpfs (needs root and"
                + " CAP_SYS_ADMIN)");
        kinds.remove(Kind.FILL_LEADER_DISK);
      }
    }
    List<Fault> schedule =
        FaultSchedule.generate(
            settings.seed(), settings.faults(), kinds, settings.minHoldMs(), settings.maxHoldMs());
    System.out.println(
        "fault run: seed "
            + settings.seed()
            + " (replay with -Dfaults.seed="
            + settings.seed()
            + "), "
            + schedule.size()
            + " faults of "
            + kinds);
    History history = new History();
    List<FaultRecord> records = new ArrayList<>();
    try (FaultCluster cluster = FaultCluster.start(dir, "faults", 3, tmpfs, BROKER_CONFIGS)) {
      cluster.createTopic(TOPIC, settings.partitions(), 3, Map.of("min.insync.replicas", "2"));
      Workload workload =
          new Workload(
              cluster.bootstrap(),
              TOPIC,
              settings.partitions(),
              settings.producers(),
              settings.recordsPerSecond(),
              settings.consumers(),
              history);
      try {
        org.awaitility.Awaitility.await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> history.writes.size() >= 100);
        FaultInjector injector = new FaultInjector(cluster, settings.partitions(), findings);
        for (Fault fault : schedule) {
          long start = history.now();
          String detail;
          try {
            detail = injector.inject(fault);
          } catch (Exception e) {
            detail = "injection failed: " + e;
            findings.add("fault #" + fault.index() + " " + fault.kind() + ": " + detail);
          }
          log.info(
              "fault #{} {}: {} for {} ms", fault.index(), fault.kind(), detail, fault.holdMs());
          // The fault's duration: holding it is the point, not waiting for a condition.
          Thread.sleep(fault.holdMs());
          injector.heal(fault);
          long healed = history.now();
          long recovered = injector.awaitRecovery(settings.recoveryMs()) ? history.now() : -1;
          if (recovered < 0) {
            findings.add(
                "fault #"
                    + fault.index()
                    + " "
                    + fault.kind()
                    + " ("
                    + detail
                    + "): cluster not whole "
                    + settings.recoveryMs()
                    + " ms after healing: "
                    + injector.describe());
          }
          records.add(new FaultRecord(fault, detail, start, healed, recovered, Map.of()));
          System.out.printf(
              "fault #%d %s %s: held %d ms, whole again %s%n",
              fault.index(),
              fault.kind(),
              detail,
              fault.holdMs(),
              recovered < 0 ? "NEVER" : (recovered - healed) + " ms after healing");
        }
        // A last quiet stretch under load after the last fault.
        int before = history.writes.size();
        try {
          org.awaitility.Awaitility.await()
              .atMost(Duration.ofSeconds(60))
              .until(() -> history.writes.size() >= before + 100);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
          findings.add("no 100 writes acknowledged in the 60 s after the last fault");
        }
      } finally {
        workload.close();
      }
      findings.addAll(
          Workload.finalRead(
              cluster.bootstrap(), TOPIC, settings.partitions(), history, Duration.ofSeconds(60)));
      try {
        readReplicaLogs(cluster, settings.partitions(), history);
      } catch (Exception e) {
        findings.add("replica logs not readable: " + e);
      }
    }
    Path out = Path.of(System.getProperty("faults.report.dir", "target"));
    keepBrokerLogs(dir, out.resolve("faults-logs-" + settings.seed()));
    List<FaultRecord> measured = withUnavailability(records, history, settings.partitions());
    List<Anomaly> anomalies = Checker.check(history);
    String report = report(settings, kinds, measured, history, anomalies, findings);
    System.out.println(report);
    Files.writeString(out.resolve("faults-report-" + settings.seed() + ".txt"), report);
    Files.write(
        out.resolve("faults-anomalies-" + settings.seed() + ".txt"),
        anomalies.stream().map(Anomaly::toString).toList());
    return new Result(settings, measured, history, anomalies, findings, report);
  }

  /** Copies the brokers' logs out of the test's directory (deleted after the test) for reading. */
  private static void keepBrokerLogs(Path dir, Path to) throws java.io.IOException {
    Files.createDirectories(to);
    try (var files = Files.list(dir)) {
      for (Path log : files.filter(f -> f.toString().endsWith("-broker.log")).toList()) {
        Files.copy(
            log, to.resolve(log.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  /**
   * Each replica's batches below the high watermark (the final read's end), once the replicas agree
   * or 30 s have passed (a follower may still be catching up on the last records).
   */
  private static void readReplicaLogs(FaultCluster cluster, int partitions, History history)
      throws Exception {
    for (int p = 0; p < partitions; p++) {
      TopicPartition tp = new TopicPartition(TOPIC, p);
      NavigableMap<Long, String> read = history.finalRead.getOrDefault(tp, new TreeMap<>());
      long hw = read.isEmpty() ? 0 : read.lastKey() + 1;
      List<Integer> replicas = cluster.state(tp).replicas();
      Map<Integer, List<String>> logs = new TreeMap<>();
      long deadline = System.currentTimeMillis() + 30_000;
      while (true) {
        logs.clear();
        for (int broker : replicas) {
          logs.put(
              broker, ReplicaLogs.batchesBelow(cluster.dataDir(broker).resolve("logs/" + tp), hw));
        }
        if (logs.values().stream().distinct().count() <= 1
            || System.currentTimeMillis() > deadline) {
          break;
        }
        Thread.sleep(500); // followers fetch again within their wait; poll their files
      }
      logs.forEach((broker, batches) -> history.replicaLog(tp, broker, hw, batches));
    }
  }

  /**
   * Per fault and partition, the longest stretch without an acknowledged write from the fault's
   * start to the next fault's start (or the end of the run).
   */
  static List<FaultRecord> withUnavailability(
      List<FaultRecord> records, History history, int partitions) {
    Map<Integer, long[]> acks = new TreeMap<>();
    for (int p = 0; p < partitions; p++) {
      int partition = p;
      acks.put(
          p,
          history.writes.stream()
              .filter(w -> w.tp().partition() == partition)
              .mapToLong(History.Write::ackedAtMs)
              .sorted()
              .toArray());
    }
    // The last fault's window ends with the last acknowledgement: the workload stops there.
    long end = history.writes.stream().mapToLong(History.Write::ackedAtMs).max().orElse(0);
    List<FaultRecord> measured = new ArrayList<>();
    for (int i = 0; i < records.size(); i++) {
      FaultRecord r = records.get(i);
      long from = r.startMs();
      long to = i + 1 < records.size() ? records.get(i + 1).startMs() : end;
      Map<Integer, Long> gaps = new TreeMap<>();
      acks.forEach(
          (p, times) -> {
            long last = from;
            long max = 0;
            for (long t : times) {
              if (t < from) {
                continue;
              }
              if (t > to) {
                break;
              }
              max = Math.max(max, t - last);
              last = t;
            }
            gaps.put(p, Math.max(max, to - last));
          });
      measured.add(
          new FaultRecord(r.fault(), r.detail(), r.startMs(), r.healedMs(), r.recoveredMs(), gaps));
    }
    return measured;
  }

  static String report(
      Settings settings,
      Set<Kind> kinds,
      List<FaultRecord> faults,
      History history,
      List<Anomaly> anomalies,
      List<String> findings) {
    StringBuilder out = new StringBuilder();
    Map<Kind, Integer> byKind = new EnumMap<>(Kind.class);
    faults.forEach(f -> byKind.merge(f.fault().kind(), 1, Integer::sum));
    Map<Checker.Kind, Integer> counts = Checker.counts(anomalies);
    out.append("==== fault run report ====\n");
    out.append("seed: ")
        .append(settings.seed())
        .append(" (replay: -Dfaults.seed=")
        .append(settings.seed())
        .append(")\n");
    out.append("faults injected: ").append(faults.size()).append(" ").append(byKind).append('\n');
    out.append("writes attempted: ")
        .append(history.attemptedCount())
        .append(", acknowledged: ")
        .append(history.writes.size())
        .append(", not acknowledged (failed or timed out): ")
        .append(history.failedCount())
        .append('\n');
    out.append("records read by consumers: ")
        .append(
            history.reads.values().stream()
                .mapToLong(l -> l.stream().filter(r -> !r.isAssignment()).count())
                .sum())
        .append(", commits accepted: ")
        .append(history.commits.size())
        .append('\n');
    out.append("lost: ")
        .append(counts.get(Checker.Kind.LOST_WRITE))
        .append(", duplicated: ")
        .append(counts.get(Checker.Kind.DUPLICATE))
        .append(", inconsistent offsets: ")
        .append(counts.get(Checker.Kind.INCONSISTENT_OFFSET))
        .append(", poll-skip: ")
        .append(counts.get(Checker.Kind.POLL_SKIP))
        .append(", nonmonotonic: ")
        .append(counts.get(Checker.Kind.NONMONOTONIC_POLL))
        .append(", commits backwards: ")
        .append(counts.get(Checker.Kind.COMMIT_BACKWARDS))
        .append(", replica divergence: ")
        .append(counts.get(Checker.Kind.REPLICA_DIVERGENCE))
        .append('\n');
    out.append(
        "max unavailability per partition (ms without an acknowledged write) after each fault:\n");
    for (FaultRecord f : faults) {
      out.append(
          String.format(
              "  #%d %-32s %-40s hold %5d ms, whole %s, unavailable %s%n",
              f.fault().index(),
              f.fault().kind(),
              f.detail(),
              f.fault().holdMs(),
              f.recovered() ? (f.recoveredMs() - f.healedMs()) + " ms after heal" : "NEVER",
              f.maxUnavailableMs()));
    }
    Map<Kind, Long> worst = new EnumMap<>(Kind.class);
    faults.forEach(
        f ->
            worst.merge(
                f.fault().kind(),
                f.maxUnavailableMs().values().stream().mapToLong(Long::longValue).max().orElse(0),
                Math::max));
    out.append("worst unavailability by kind (ms): ").append(worst).append('\n');
    if (!history.consumerErrors.isEmpty()) {
      out.append("consumer errors (count by message):\n");
      history.consumerErrors.entrySet().stream()
          .sorted(Map.Entry.comparingByKey())
          .limit(50)
          .forEach(
              e ->
                  out.append("  ")
                      .append(e.getValue())
                      .append(" x ")
                      .append(e.getKey())
                      .append('\n'));
    }
    if (!findings.isEmpty()) {
      out.append("findings:\n");
      findings.forEach(f -> out.append("  ").append(f).append('\n'));
    }
    if (!anomalies.isEmpty()) {
      out.append("anomalies (")
          .append(anomalies.size())
          .append("; at most 10 of each kind here, all in faults-anomalies-")
          .append(settings.seed())
          .append(".txt):\n");
      for (Checker.Kind kind : Checker.Kind.values()) {
        List<Anomaly> ofKind = anomalies.stream().filter(a -> a.kind() == kind).toList();
        ofKind.stream().limit(10).forEach(a -> out.append("  ").append(a).append('\n'));
        if (ofKind.size() > 10) {
          out.append("  ... and ")
              .append(ofKind.size() - 10)
              .append(" more ")
              .append(kind)
              .append('\n');
        }
      }
      out.append(lostRanges(history, anomalies));
    }
    out.append("==== end of report (seed ").append(settings.seed()).append(") ====\n");
    return out.toString();
  }

  /** Lost acknowledged writes per partition as offset ranges, with when they were acknowledged. */
  static String lostRanges(History history, List<Anomaly> anomalies) {
    if (anomalies.stream().noneMatch(a -> a.kind() == Checker.Kind.LOST_WRITE)) {
      return "";
    }
    Map<String, List<Long>> lostOffsets = new TreeMap<>();
    for (Anomaly a : anomalies) {
      if (a.kind() == Checker.Kind.LOST_WRITE) {
        String[] words = a.detail().split(" ");
        lostOffsets
            .computeIfAbsent(words[0], k -> new ArrayList<>())
            .add(Long.parseLong(words[2].replace(":", "")));
      }
    }
    StringBuilder out = new StringBuilder("  lost acknowledged offsets by partition:\n");
    lostOffsets.forEach(
        (tp, offsets) -> {
          java.util.Collections.sort(offsets);
          out.append("    ").append(tp).append(": ");
          long from = offsets.get(0);
          long last = from;
          for (long o : offsets.subList(1, offsets.size())) {
            if (o != last + 1) {
              out.append(from == last ? "" + from : from + ".." + last).append(' ');
              from = o;
            }
            last = o;
          }
          out.append(from == last ? "" + from : from + ".." + last)
              .append(" (")
              .append(offsets.size())
              .append(")\n");
        });
    return out.toString();
  }

  /** Carries out faults on a cluster and heals them. */
  static final class FaultInjector {
    private final FaultCluster cluster;
    private final int partitions;
    private final List<String> findings;

    FaultInjector(FaultCluster cluster, int partitions, List<String> findings) {
      this.cluster = cluster;
      this.partitions = partitions;
      this.findings = findings;
    }

    private int leaderOf(int target) {
      TopicPartition tp = new TopicPartition(TOPIC, target % partitions);
      try {
        PartitionState state = cluster.state(tp);
        if (state.hasLeader()) {
          return state.leader();
        }
      } catch (RuntimeException e) {
        log.info("no state for {}: {}", tp, e.toString());
      }
      return broker(target);
    }

    private int broker(int target) {
      List<Integer> ids = List.copyOf(cluster.brokerIds());
      return ids.get(target % ids.size());
    }

    String inject(Fault fault) throws Exception {
      int t = fault.target();
      String tp = TOPIC + "-" + (t % partitions);
      switch (fault.kind()) {
        case KILL_LEADER -> {
          int b = leaderOf(t);
          cluster.kill(b);
          return "SIGKILL broker " + b + " (leader of " + tp + ")";
        }
        case KILL_BROKER -> {
          int b = broker(t);
          cluster.kill(b);
          return "SIGKILL broker " + b;
        }
        case PAUSE_LEADER -> {
          int b = leaderOf(t);
          cluster.pause(b);
          return "SIGSTOP broker " + b + " (leader of " + tp + ")";
        }
        case RESTART_BROKER -> {
          int b = broker(t);
          try {
            cluster.restart(b);
          } catch (IllegalStateException e) {
            findings.add(
                "fault #" + fault.index() + " RESTART_BROKER " + b + ": " + e.getMessage());
          }
          return "SIGTERM and restart broker " + b;
        }
        case PARTITION_LEADER_FROM_FOLLOWERS -> {
          int b = leaderOf(t);
          cluster.partitionFromPeers(b);
          return "cut replication of broker " + b + " (leader of " + tp + ")";
        }
        case PARTITION_BROKER_FROM_ZOOKEEPER -> {
          int b = broker(t);
          cluster.partitionFromZooKeeper(b);
          return "cut broker " + b + " from ZooKeeper";
        }
        case PARTITION_ZOOKEEPER -> {
          cluster.partitionZooKeeperFromEveryone();
          return "cut ZooKeeper from everyone";
        }
        case SLOW_LEADER_LINK -> {
          int b = leaderOf(t);
          cluster.delayBroker(b, 200);
          return "200 ms on every byte of broker " + b + " (leader of " + tp + ")";
        }
        case FILL_LEADER_DISK -> {
          int b = leaderOf(t);
          cluster.fillDisk(b);
          return "filled the disk of broker " + b + " (leader of " + tp + ")";
        }
        default -> throw new IllegalArgumentException(fault.kind().toString());
      }
    }

    /** Undoes every fault: links open, disks freed, paused brokers resumed, dead ones started. */
    void heal(Fault fault) throws Exception {
      cluster.healNetwork();
      cluster.freeAllDisks();
      for (int id : cluster.brokerIds()) {
        if (cluster.isAlive(id)) {
          cluster.resume(id);
        } else {
          if (fault.kind() != Kind.KILL_LEADER && fault.kind() != Kind.KILL_BROKER) {
            findings.add(
                "fault #" + fault.index() + " " + fault.kind() + ": broker " + id + " died");
          }
          try {
            cluster.startBroker(id);
          } catch (Exception e) {
            findings.add(
                "fault #" + fault.index() + ": broker " + id + " failed to start again: " + e);
          }
        }
      }
    }

    /** Waits until every broker is up and every partition has a leader and a full ISR. */
    boolean awaitRecovery(long atMostMs) {
      long deadline = System.currentTimeMillis() + atMostMs;
      while (System.currentTimeMillis() < deadline) {
        try {
          if (whole()) {
            return true;
          }
        } catch (RuntimeException e) {
          log.debug("state not readable yet: {}", e.toString());
        }
        try {
          Thread.sleep(200); // poll the stored partition states
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      return false;
    }

    private boolean whole() {
      for (int id : cluster.brokerIds()) {
        if (!cluster.isAlive(id)) {
          return false;
        }
      }
      List<PartitionState> states = cluster.partitionStates();
      long ours = states.stream().filter(s -> s.topicPartition().topic().equals(TOPIC)).count();
      return ours == partitions
          && states.stream().allMatch(s -> s.hasLeader() && s.isr().size() == s.replicas().size());
    }

    String describe() {
      try {
        StringBuilder out = new StringBuilder();
        for (int id : cluster.brokerIds()) {
          out.append("broker ")
              .append(id)
              .append(cluster.isAlive(id) ? " up" : " DOWN")
              .append("; ");
        }
        for (PartitionState s : cluster.partitionStates()) {
          out.append(s.topicPartition())
              .append(" leader ")
              .append(s.leader())
              .append(" isr ")
              .append(s.isr())
              .append("; ");
        }
        return out.toString();
      } catch (RuntimeException e) {
        return "state unreadable: " + e;
      }
    }
  }
}
