package io.flod.provisioner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flod.provisioner.jclouds.JcloudsProvisioner;
import io.flod.provisioner.local.LocalComputeServiceAdapter;
import io.flod.provisioner.local.LocalMachines;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local provider through the jclouds provisioner, with a shell loop standing in for the agent
 * process (the agent itself is exercised end to end in the control plane's tests): machines are
 * processes with their own directory and port, found again by a new provider instance, started
 * again when their process died, and destroyed with nothing left behind.
 */
class LocalMachinesTest {
  /** Records its token and arguments, then runs until stopped, as an agent would. */
  private static final List<String> FAKE_AGENT =
      List.of(
          "sh",
          "-c",
          "echo \"$FLOD_TOKEN\" > \"$4/token\"; echo \"$@\" > \"$4/args\";"
              + " trap 'exit 0' TERM; while true; do sleep 0.2; done",
          "agent");

  @TempDir Path root;

  private JcloudsProvisioner provider() {
    LocalMachines machines =
        new LocalMachines(new LocalMachines.Settings(root, FAKE_AGENT, "127.0.0.1"));
    return new JcloudsProvisioner(
        LocalMachines.context(machines),
        new JcloudsProvisioner.Settings(
            "http://127.0.0.1:1234",
            "http://127.0.0.1:1234/dist.tar.gz",
            true,
            Map.of(),
            LocalComputeServiceAdapter.IMAGE_ID));
  }

  @Test
  void machinesAreProcessesThatOutliveTheProviderAndAreDestroyedCleanly() throws Exception {
    ClusterRef cluster = new ClusterRef("t1", "0badcafe-0000-0000-0000-000000000001", 1);
    try (JcloudsProvisioner first = provider()) {
      first.ensure(
          cluster,
          List.of(
              new NodeSpec("node-0", "small", "zone-a", "secret-0"),
              new NodeSpec("node-1", "small", "zone-b", "secret-1")));
    }
    try (JcloudsProvisioner second = provider()) {
      List<Machine> machines = second.describe(cluster.clusterId());
      assertEquals(
          Set.of("node-0:zone-a:RUNNING", "node-1:zone-b:RUNNING"),
          Set.copyOf(
              machines.stream().map(m -> m.nodeId() + ":" + m.zone() + ":" + m.state()).toList()));
      Path dir0 = machineDir("node-0");
      Path data0 = dir0.resolve("data");
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> Files.exists(data0.resolve("args")));
      assertEquals("secret-0", Files.readString(data0.resolve("token")).trim());
      String args = Files.readString(data0.resolve("args"));
      assertTrue(args.contains("--control-plane http://127.0.0.1:1234"), args);
      assertTrue(args.matches("(?s).*--broker-port [0-9]+.*"), args);
      assertFalse(args.contains("secret-0"), "the token is not on the command line");
      assertTrue(
          Files.readString(dir0.resolve("machine.json")).contains("zone-a"), "description kept");

      long pid = Long.parseLong(Files.readString(dir0.resolve("agent.pid")).trim());
      ProcessHandle agent = ProcessHandle.of(pid).orElseThrow();
      agent.destroyForcibly();
      agent.onExit().get(10, TimeUnit.SECONDS);
      assertEquals(Machine.State.STOPPED, state(second, cluster, "node-0"));

      second.ensure(cluster, List.of(new NodeSpec("node-0", "small", "zone-a", null)));
      assertEquals(Machine.State.RUNNING, state(second, cluster, "node-0"));
      long restarted = Long.parseLong(Files.readString(dir0.resolve("agent.pid")).trim());
      assertTrue(restarted != pid);

      second.destroy(cluster, Set.of("node-0", "node-1"));
      assertTrue(second.describe(cluster.clusterId()).isEmpty());
      assertFalse(ProcessHandle.of(restarted).map(ProcessHandle::isAlive).orElse(false));
      try (var left = Files.list(root)) {
        assertEquals(0, left.count(), "no machine directory is left");
      }
    }
  }

  private static Machine.State state(JcloudsProvisioner p, ClusterRef cluster, String node) {
    return p.describe(cluster.clusterId()).stream()
        .filter(m -> m.nodeId().equals(node))
        .findFirst()
        .orElseThrow()
        .state();
  }

  private Path machineDir(String node) throws Exception {
    try (var dirs = Files.list(root)) {
      return dirs.filter(d -> d.getFileName().toString().endsWith(node)).findFirst().orElseThrow();
    }
  }
}
