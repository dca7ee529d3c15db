package io.flod.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flod.broker.cli.ListenersFile;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The supervisor with real child processes (shell commands standing in for a broker that crashes):
 * restarts with back-off, the crash loop report, a SIGKILL reported at once, and a clean stop.
 */
class BrokerSupervisorTest {
  @TempDir Path dir;
  private final List<Integer> crashes = new CopyOnWriteArrayList<>();
  private final AtomicInteger readies = new AtomicInteger();
  private final List<String> failures = new CopyOnWriteArrayList<>();

  private BrokerSupervisor supervisor(List<String> command, Backoff backoff) throws IOException {
    return new BrokerSupervisor(
        command,
        dir.resolve("broker.pid"),
        dir.resolve("broker.log"),
        dir,
        new BrokerProbe(new InetSocketAddress("127.0.0.1", closedPort())),
        backoff,
        new BrokerSupervisor.Listener() {
          @Override
          public void crashed(int exitCode) {
            crashes.add(exitCode);
          }

          @Override
          public void ready() {
            readies.incrementAndGet();
          }

          @Override
          public void failed(int exitCode, String cause) {
            failures.add(exitCode + ": " + cause);
          }
        });
  }

  @Test
  void secretsReachTheBrokerInItsEnvironmentAndNotOnItsCommandLine() throws Exception {
    io.flod.api.AgentAssignment assignment =
        new io.flod.api.AgentAssignment(
            "c",
            "h",
            "node-1",
            1,
            "z1",
            "ud0",
            "zk:2181",
            "127.0.0.1",
            9092,
            java.util.Map.of("sasl.enabled", "true"),
            1000,
            java.util.Map.of("sas.rules.key", "the-cluster-key"));
    java.util.Map<String, String> environment = NodeAgent.brokerEnvironment(assignment);
    assertEquals(java.util.Map.of("FLOD_SAS_RULES_KEY", "the-cluster-key"), environment);
    Path seen = dir.resolve("key.seen");
    List<String> command =
        List.of("sh", "-c", "printf '%s' \"$FLOD_SAS_RULES_KEY\" > '" + seen + "'; exec sleep 300");
    try (BrokerSupervisor s =
        new BrokerSupervisor(
            command,
            environment,
            dir.resolve("broker.pid"),
            dir.resolve("broker.log"),
            dir,
            new BrokerProbe(new InetSocketAddress("127.0.0.1", closedPort())),
            new Backoff(50, 100),
            new BrokerSupervisor.Listener() {
              @Override
              public void crashed(int exitCode) {}

              @Override
              public void ready() {}

              @Override
              public void failed(int exitCode, String cause) {}
            })) {
      s.start();
      Path pidFile = dir.resolve("broker.pid");
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(pidFile));
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .ignoreExceptions()
          .until(() -> Files.readString(seen).equals("the-cluster-key"));
      long pid = Long.parseLong(Files.readString(pidFile).trim());
      String commandLine =
          Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ');
      assertFalse(commandLine.contains("the-cluster-key"), commandLine);
    }
  }

  @Test
  void aBrokerThatKeepsExitingIsRestartedAndReportedAsACrashLoop() throws Exception {
    try (BrokerSupervisor s = supervisor(List.of("sh", "-c", "exit 3"), new Backoff(20, 200))) {
      s.start();
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> "crashLooping".equals(s.state()));
      // two starts in a row that never became ready are a crash loop already
      assertTrue(s.restarts() >= 2, "restarts: " + s.restarts());
      assertTrue(crashes.size() >= 2 && crashes.stream().allMatch(c -> c == 3), "" + crashes);
      assertEquals(0, readies.get(), "a process that never answers is never ready");
    }
  }

  @Test
  void aKilledBrokerIsReportedAtOnceAndStartedAgain() throws Exception {
    try (BrokerSupervisor s = supervisor(List.of("sleep", "300"), new Backoff(50, 100))) {
      s.start();
      Path pidFile = dir.resolve("broker.pid");
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(pidFile));
      long first = Long.parseLong(Files.readString(pidFile).trim());
      ProcessHandle.of(first).orElseThrow().destroyForcibly();
      Awaitility.await()
          .atMost(Duration.ofSeconds(5))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> crashes.size() == 1);
      assertEquals(137, crashes.get(0), "SIGKILL");
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .ignoreExceptions()
          .until(() -> Long.parseLong(Files.readString(pidFile).trim()) != first);
      assertEquals(1, s.restarts());
      long second = Long.parseLong(Files.readString(pidFile).trim());
      assertNotEquals(first, second);
      s.close();
      assertEquals("stopped", s.state());
      assertFalse(ProcessHandle.of(second).map(ProcessHandle::isAlive).orElse(false));
      assertEquals(1, crashes.size(), "a requested stop is not a crash");
    }
  }

  @Test
  void aFakeBrokerThatTrapsSigtermIsKilledAfterTheStopTimeout() throws Exception {
    // A shell standing in for a broker stuck in its shutdown: it ignores SIGTERM.
    BrokerSupervisor s =
        supervisor(
            List.of("sh", "-c", "trap '' TERM; while true; do sleep 0.1; done"),
            new Backoff(50, 100));
    s.stopTimeout(Duration.ofSeconds(1));
    s.start();
    Path pidFile = dir.resolve("broker.pid");
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(pidFile));
    ProcessHandle broker =
        ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim())).orElseThrow();
    long start = System.nanoTime();
    s.close();
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertFalse(broker.isAlive(), "SIGKILL followed the ignored SIGTERM");
    assertTrue(ms >= 1_000, "SIGTERM was given its time first: " + ms + " ms");
    assertTrue(ms < 6_000, "stopped " + ms + " ms after close");
    assertEquals("stopped", s.state());
    assertEquals(List.of(), crashes, "a requested stop is not a crash");
  }

  @Test
  void aBrokerThatHonoursSigtermStopsWithoutWaitingForTheTimeout() throws Exception {
    BrokerSupervisor s = supervisor(List.of("sleep", "300"), new Backoff(50, 100));
    s.start();
    Path pidFile = dir.resolve("broker.pid");
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(pidFile));
    ProcessHandle broker =
        ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim())).orElseThrow();
    long start = System.nanoTime();
    s.close();
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertFalse(broker.isAlive());
    assertTrue(ms < 5_000, "stopped " + ms + " ms after close, well before the 10 s timeout");
  }

  @Test
  void aBrokerThatCannotStartIsReportedWithItsExitCodeAndCause() throws Exception {
    String script =
        "echo 'java.lang.IllegalStateException: first'; "
            + "echo 'flod broker: cannot start: permission denied: /data/broker/meta' >&2; exit 1";
    try (BrokerSupervisor s = supervisor(List.of("sh", "-c", script), new Backoff(20, 200))) {
      s.start();
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> "crashLooping".equals(s.state()));
      assertEquals(
          new BrokerSupervisor.LastError(1, "permission denied: /data/broker/meta"), s.lastError());
      assertTrue(failures.contains("1: permission denied: /data/broker/meta"), "" + failures);
    }
  }

  @Test
  void thePortsTheBrokerBoundAreLearnedFromItsListenersFile() throws Exception {
    // $$ is the shell's pid, which exec keeps for sleep: the file names the supervised process.
    String script =
        "printf 'pid=%s\\nkafka=127.0.0.1:40123\\nhttp=40124\\n' $$ > "
            + dir.resolve(ListenersFile.NAME)
            + "; exec sleep 300";
    try (BrokerSupervisor s = supervisor(List.of("sh", "-c", script), new Backoff(20, 200))) {
      s.start();
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> s.bound() != null);
      assertEquals(40123, s.bound().kafkaPort());
      assertEquals(40124, s.bound().httpPort());
      assertEquals(null, s.lastError(), "it has not ended");
    }
  }

  @Test
  void theErrorLineIsTheBrokersOwnElseTheDeepestCauseElseTheExitCode() throws Exception {
    String trace =
        String.join(
            "\n",
            "09:00:00.000 INFO  [main] i.f.b.Broker - starting",
            "java.lang.IllegalStateException: cannot open the log",
            "\tat io.flod.broker.Broker.<init>(Broker.java:100)",
            "Caused by: java.nio.file.FileSystemException: /d/x: Read-only file system",
            "\tat java.base/sun.nio.fs.UnixException.translateToIOException(Unknown Source)",
            "\t... 5 more");
    assertEquals(
        "java.nio.file.FileSystemException: /d/x: Read-only file system",
        BrokerErrorLine.find(trace));
    assertEquals(
        "cannot listen on 127.0.0.1:1 (Kafka): address already in use",
        BrokerErrorLine.find(
            trace
                + "\nflod broker: cannot start: cannot listen on 127.0.0.1:1 (Kafka): address"
                + " already in use\n"));
    assertEquals(
        "Error: Could not find or load main class x",
        BrokerErrorLine.find("Error: Could not find or load main class x\n"));
    Path log = dir.resolve("old.log");
    Files.writeString(log, "java.lang.RuntimeException: an earlier process\n");
    assertEquals("killed by signal 9", BrokerErrorLine.of(log, Files.size(log), 137));
    assertEquals("java.lang.RuntimeException: an earlier process", BrokerErrorLine.of(log, 0, 1));
  }

  @Test
  void backoffDoublesUpToItsCapWithJitterOfAtMostHalf() {
    Backoff backoff = new Backoff(1_000, 60_000);
    assertEquals(0, backoff.delayMs(0));
    for (int failures = 1; failures <= 12; failures++) {
      long ceiling = Math.min(60_000, 1_000L << (failures - 1));
      for (int i = 0; i < 50; i++) {
        long delay = backoff.delayMs(failures);
        assertTrue(
            delay >= ceiling / 2 && delay <= ceiling, failures + " failures: " + delay + " ms");
      }
    }
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
