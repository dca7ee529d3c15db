package io.flod.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        });
  }

  @Test
  void aBrokerThatKeepsExitingIsRestartedAndReportedAsACrashLoop() throws Exception {
    try (BrokerSupervisor s = supervisor(List.of("sh", "-c", "exit 3"), new Backoff(20, 200))) {
      s.start();
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> "crashLooping".equals(s.state()));
      assertTrue(s.restarts() >= 5, "restarts: " + s.restarts());
      assertTrue(crashes.size() >= 5 && crashes.stream().allMatch(c -> c == 3), "" + crashes);
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
