package io.flod.agent;

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
 * crashes within five minutes is a crash loop: reported, and the back-off keeps growing.
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

  /** What the agent does when the broker changes state. */
  interface Listener {
    /** The process ended without being asked to: called at once, before any restart. */
    void crashed(int exitCode);

    /** The broker answers requests (after a start or a restart). */
    void ready();
  }

  private final List<String> command;
  private final Path pidFile;
  private final Path logFile;
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

  BrokerSupervisor(
      List<String> command,
      Path pidFile,
      Path logFile,
      BrokerProbe probe,
      Backoff backoff,
      Listener listener) {
    this.command = List.copyOf(command);
    this.pidFile = pidFile;
    this.logFile = logFile;
    this.probe = probe;
    this.backoff = backoff;
    this.listener = listener;
    this.thread = new Thread(this::superviseLoop, "flod-broker-supervisor");
  }

  void start() {
    thread.start();
  }

  /** {@code starting|running|restarting|crash-loop|stopped}. */
  String state() {
    return state;
  }

  int restarts() {
    return restarts;
  }

  private void superviseLoop() {
    int failures = 0;
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
      boolean loop = recentCrashes.size() >= LOOP_CRASHES;
      state = loop ? "crash-loop" : "restarting";
      long delay = backoff.delayMs(failures);
      log.warn(
          "broker exited with code {} (restart {}, {} crashes in 5 min{}); restarting in {} ms",
          exit,
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
    try {
      p =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
              .start();
      Files.writeString(pidFile, Long.toString(p.pid()));
      // With the pid, its start time: pids are reused, and the local provider must not stop a
      // stranger that inherited the number.
      Files.writeString(
          pidFile.resolveSibling("broker.started"),
          p.toHandle().info().startInstant().map(Object::toString).orElse("unknown"));
    } catch (IOException e) {
      log.error("cannot start the broker: {}", e.toString());
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
              }
            });
    long deadline = System.currentTimeMillis() + STARTUP_TIMEOUT_MS;
    boolean ready = false;
    int unhealthy = 0;
    while (true) {
      try {
        if (p.waitFor(ready ? HEALTH_INTERVAL_MS : 200, TimeUnit.MILLISECONDS)) {
          return stopping ? null : p.exitValue();
        }
      } catch (InterruptedException e) {
        if (stopping) {
          return stopProcess(p);
        }
      }
      if (stopping) {
        return stopProcess(p);
      }
      boolean answers = probe.ready(2_000);
      if (!ready) {
        if (answers) {
          ready = true;
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
