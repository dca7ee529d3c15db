package io.flod.agent;

import io.flod.broker.cli.ListenersFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the broker as a child process and keeps it running: waits for it to pass the readiness
 * probe, health-checks it while it runs (a broker that stops answering is killed and counts as a
 * crash), learns of a crash the moment the process exits, and restarts it after a back-off. Five
 * crashes within five minutes, or two starts in a row that end before the broker is ready, is a
 * crash loop: reported, and the back-off keeps growing.
 *
 * <p>The broker may listen on other ports than it was given (a taken port falls back to a free
 * one): the supervisor learns the ports it bound from its {@link ListenersFile}, probes those, and
 * offers them to the heartbeat. When the broker exits, the exit code and the line of its log that
 * says why ({@link BrokerErrorLine}) are kept as its last error.
 */
final class BrokerSupervisor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BrokerSupervisor.class);
  private static final long HEALTH_INTERVAL_MS = 2_000;
  private static final int UNHEALTHY_PROBES = 3;
  private static final long STARTUP_TIMEOUT_MS = 180_000;
  private static final long STABLE_AFTER_MS = 60_000;
  private static final int LOOP_CRASHES = 5;
  private static final long LOOP_WINDOW_MS = 300_000;
  private static final long STOP_TIMEOUT_MS = 10_000;
  private static final long KILL_WAIT_MS = 5_000;
  private static final int LOOP_FAILED_STARTS = 2;

  /** What the agent does when the broker changes state. */
  interface Listener {
    /** The process ended without being asked to: called at once, before any restart. */
    void crashed(int exitCode);

    /** The broker answers requests (after a start or a restart). */
    void ready();

    /** The broker ended without being asked to, and why (after {@link #crashed}). */
    default void failed(int exitCode, String cause) {}
  }

  /** Why the broker last ended without being asked to. */
  record LastError(int exitCode, String cause) {}

  private final List<String> command;
  private final java.util.Map<String, String> environment;
  private final Path pidFile;
  private final Path logFile;
  private final Path brokerDataDir;
  private final BrokerProbe probe;
  private final Backoff backoff;
  private final Listener listener;
  private final Deque<Long> recentCrashes = new ArrayDeque<>();
  private final Thread thread;
  private volatile boolean stopping;
  private volatile Process process;
  private volatile String state = "starting";
  private volatile int restarts;
  private volatile long stopTimeoutMs = STOP_TIMEOUT_MS;
  private volatile ListenersFile.Bound bound;
  private volatile LastError lastError;
  private volatile boolean lastStartReady;

  /**
   * @param brokerDataDir where the broker writes its {@link ListenersFile}; the broker is ready
   *     only once it did and answers there (null: probe the given port, for brokers that write
   *     none)
   * @param probe the readiness probe of the port the broker was given, used only without {@code
   *     brokerDataDir}
   */
  BrokerSupervisor(
      List<String> command,
      Path pidFile,
      Path logFile,
      Path brokerDataDir,
      BrokerProbe probe,
      Backoff backoff,
      Listener listener) {
    this(command, java.util.Map.of(), pidFile, logFile, brokerDataDir, probe, backoff, listener);
  }

  /**
   * {@code environment}: variables added to the broker's environment (secrets, which a command line
   * would show to every process of the machine).
   */
  BrokerSupervisor(
      List<String> command,
      java.util.Map<String, String> environment,
      Path pidFile,
      Path logFile,
      Path brokerDataDir,
      BrokerProbe probe,
      Backoff backoff,
      Listener listener) {
    this.command = List.copyOf(command);
    this.environment = java.util.Map.copyOf(environment);
    this.pidFile = pidFile;
    this.logFile = logFile;
    this.brokerDataDir = brokerDataDir;
    this.probe = probe;
    this.backoff = backoff;
    this.listener = listener;
    this.thread = new Thread(this::superviseLoop, "flod-broker-supervisor");
  }

  void start() {
    thread.start();
  }

  /** {@code starting|running|restarting|crashLooping|stopped}. */
  String state() {
    return state;
  }

  /** The ports the current broker process bound, or null before it said. */
  ListenersFile.Bound bound() {
    return bound;
  }

  /** Why the broker last ended without being asked to, or null if it never did. */
  LastError lastError() {
    return lastError;
  }

  int restarts() {
    return restarts;
  }

  private void superviseLoop() {
    int failures = 0;
    int failedStarts = 0;
    while (!stopping) {
      long started = System.currentTimeMillis();
      Integer exit = runOnce();
      if (exit == null) { // asked to stop
        break;
      }
      long now = System.currentTimeMillis();
      failures = now - started >= STABLE_AFTER_MS ? 1 : failures + 1;
      restarts++;
      recentCrashes.addLast(now);
      while (!recentCrashes.isEmpty() && now - recentCrashes.peekFirst() > LOOP_WINDOW_MS) {
        recentCrashes.removeFirst();
      }
      failedStarts = lastStartReady ? 0 : failedStarts + 1;
      boolean loop = recentCrashes.size() >= LOOP_CRASHES || failedStarts >= LOOP_FAILED_STARTS;
      state = loop ? "crashLooping" : "restarting";
      long delay = backoff.delayMs(failures);
      LastError why = lastError;
      log.warn(
          "broker exited with code {}: {} (restart {}, {} crashes in 5 min{}); restarting in {} ms",
          exit,
          why == null ? "?" : why.cause(),
          restarts,
          recentCrashes.size(),
          loop ? ": CRASH LOOP" : "",
          delay);
      try {
        Thread.sleep(delay);
      } catch (InterruptedException e) {
        if (stopping) {
          break;
        }
      }
    }
    state = "stopped";
  }

  /** Starts the broker and watches it; the exit code, or null when it was asked to stop. */
  private Integer runOnce() {
    Process p;
    bound = null;
    lastStartReady = false;
    long logStart = logFile.toFile().length(); // what this process writes begins here
    try {
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
      builder.environment().putAll(environment);
      p = builder.start();
      Files.writeString(pidFile, Long.toString(p.pid()));
      // With the pid, its start time: pids are reused, and the local provider must not stop a
      // stranger that inherited the number.
      Files.writeString(
          pidFile.resolveSibling("broker.started"),
          p.toHandle().info().startInstant().map(Object::toString).orElse("unknown"));
    } catch (IOException e) {
      log.error("cannot start the broker: {}", e.toString());
      lastError = new LastError(-1, "cannot start the broker process: " + e.getMessage());
      return -1;
    }
    process = p;
    if (stopping) {
      return stopProcess(p);
    }
    log.info("broker started, pid {}", p.pid());
    p.onExit()
        .thenRun(
            () -> {
              if (!stopping) {
                listener.crashed(p.exitValue()); // on the exit watcher's thread: at once
                LastError why =
                    new LastError(
                        p.exitValue(), BrokerErrorLine.of(logFile, logStart, p.exitValue()));
                lastError = why;
                listener.failed(why.exitCode(), why.cause());
              }
            });
    long deadline = System.currentTimeMillis() + STARTUP_TIMEOUT_MS;
    boolean ready = false;
    int unhealthy = 0;
    BrokerProbe current = probe;
    while (true) {
      try {
        if (p.waitFor(ready ? HEALTH_INTERVAL_MS : 200, TimeUnit.MILLISECONDS)) {
          if (stopping) {
            return null;
          }
          lastError =
              new LastError(p.exitValue(), BrokerErrorLine.of(logFile, logStart, p.exitValue()));
          return p.exitValue();
        }
      } catch (InterruptedException e) {
        if (stopping) {
          return stopProcess(p);
        }
      }
      if (stopping) {
        return stopProcess(p);
      }
      if (bound == null && brokerDataDir != null) {
        ListenersFile.Bound said = ListenersFile.read(brokerDataDir, p.pid()).orElse(null);
        if (said != null) {
          bound = said;
          current = new BrokerProbe(said.kafka());
          log.info(
              "broker pid {} bound Kafka port {}{}",
              p.pid(),
              said.kafkaPort(),
              said.httpPort() > 0 ? ", HTTP port " + said.httpPort() : "");
        }
      }
      // Until the broker says which port it bound, the port it was given may be another
      // process's (that is why it fell back): a probe there proves nothing.
      boolean probed = bound != null || brokerDataDir == null;
      // Once ready, liveness: a broker that closes the probe at its connection limit is alive.
      boolean answers = probed && (ready ? current.alive(2_000) : current.ready(2_000));
      if (!ready) {
        if (answers) {
          ready = true;
          lastStartReady = true;
          state = "running";
          log.info("broker pid {} is ready", p.pid());
          listener.ready();
        } else if (System.currentTimeMillis() > deadline) {
          log.warn("broker pid {} not ready after {} ms: killing it", p.pid(), STARTUP_TIMEOUT_MS);
          p.destroyForcibly();
        }
      } else if (answers) {
        unhealthy = 0;
      } else if (++unhealthy >= UNHEALTHY_PROBES) {
        log.warn("broker pid {} stopped answering {} probes: killing it", p.pid(), unhealthy);
        p.destroyForcibly();
      }
    }
  }

  /**
   * Asks the broker to stop (SIGTERM: it hands over leadership and closes its logs) and gives it
   * {@link #STOP_TIMEOUT_MS}; a broker still running then (stuck, frozen, or waiting on a ZooKeeper
   * that is gone) gets SIGKILL, and the log says so: its logs are recovered at the next start.
   */
  private Integer stopProcess(Process p) {
    // close() interrupts the supervising thread to wake it; a flag still set (it was probing, not
    // waiting) must not cut the broker's grace period short.
    Thread.interrupted();
    p.destroy();
    try {
      if (!p.waitFor(stopTimeoutMs, TimeUnit.MILLISECONDS)) {
        log.warn(
            "broker pid {} did not stop within {} ms of SIGTERM: sending SIGKILL",
            p.pid(),
            stopTimeoutMs);
        p.destroyForcibly();
        if (p.waitFor(KILL_WAIT_MS, TimeUnit.MILLISECONDS)) {
          log.warn("broker pid {} killed", p.pid());
        } else {
          log.error("broker pid {} still runs {} ms after SIGKILL", p.pid(), KILL_WAIT_MS);
        }
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    return null;
  }

  /** How long a broker gets between SIGTERM and SIGKILL (tests shorten it). */
  void stopTimeout(Duration timeout) {
    this.stopTimeoutMs = timeout.toMillis();
  }

  /** Stops the broker (SIGKILL if SIGTERM is not enough) and the supervision with it. */
  @Override
  public void close() {
    stopping = true;
    thread.interrupt();
    try {
      thread.join(stopTimeoutMs + KILL_WAIT_MS + 5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Process p = process;
    if (p != null && p.isAlive()) {
      stopProcess(p);
    }
    state = "stopped";
  }
}
