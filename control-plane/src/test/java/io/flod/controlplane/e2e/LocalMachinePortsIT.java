package io.flod.controlplane.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flod.broker.cli.ListenersFile;
import io.flod.provisioner.ClusterRef;
import io.flod.provisioner.NodeSpec;
import io.flod.provisioner.jclouds.JcloudsProvisioner;
import io.flod.provisioner.local.LocalComputeServiceAdapter;
import io.flod.provisioner.local.LocalMachines;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Twenty local machines made at once for four clusters, as concurrent reconcile passes make them:
 * every machine's broker binds its Kafka and HTTP ports, no two machines share a port, and the port
 * each broker advertises (Metadata) is the one it bound. The machines run {@link
 * StandaloneBrokerAgent} (a real broker on the machine's ports, without a control plane), so this
 * checks the provider's port allocation and the brokers' binding, not registration.
 */
class LocalMachinePortsIT {
  private static final int CLUSTERS = 4;
  private static final int NODES = 5;
  @TempDir static Path root;

  @RegisterExtension
  static final MachineLogsOnFailure machineLogs = new MachineLogsOnFailure(() -> root);

  /** Whatever a failed run left running is stopped by the pids the machines recorded. */
  @AfterAll
  static void stopLeftovers() throws Exception {
    if (!Files.isDirectory(root)) {
      return;
    }
    try (Stream<Path> files = Files.walk(root)) {
      for (Path pidFile : files.filter(f -> f.toString().endsWith(".pid")).toList()) {
        try {
          ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim()))
              .ifPresent(ProcessHandle::destroyForcibly);
        } catch (Exception e) {
          // gone with its directory
        }
      }
    }
  }

  @Test
  void twentyMachinesMadeAtOnceBindDistinctPortsAndAdvertiseThem() throws Exception {
    List<String> agent =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xms32m",
            "-Xmx160m",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-cp",
            System.getProperty("java.class.path"),
            StandaloneBrokerAgent.class.getName());
    LocalMachines machines =
        new LocalMachines(new LocalMachines.Settings(root, agent, "127.0.0.1"));
    List<ClusterRef> clusters = new ArrayList<>();
    for (int c = 0; c < CLUSTERS; c++) {
      // machine ids carry the cluster id's first eight characters
      clusters.add(new ClusterRef("t", "0badcaf" + c + "-0000-0000-0000-000000000000", 1));
    }
    long started = System.nanoTime();
    try (JcloudsProvisioner provider =
        new JcloudsProvisioner(
            LocalMachines.context(machines),
            new JcloudsProvisioner.Settings(
                "http://127.0.0.1:1",
                "http://127.0.0.1:1/dist.tar.gz",
                true,
                Map.of(),
                LocalComputeServiceAdapter.IMAGE_ID))) {
      ExecutorService passes = Executors.newFixedThreadPool(CLUSTERS);
      try {

        List<Future<?>> made = new ArrayList<>();
        for (ClusterRef cluster : clusters) {
          List<NodeSpec> nodes = new ArrayList<>();
          for (int n = 0; n < NODES; n++) {
            nodes.add(new NodeSpec("node-" + n, "small", "z" + (n % 3), "token-" + n));
          }
          made.add(passes.submit(() -> provider.ensure(cluster, nodes)));
        }
        for (Future<?> f : made) {
          f.get(2, TimeUnit.MINUTES);
        }
      } finally {
        passes.shutdownNow();
      }
      try {
        List<Path> dirs = machineDirs();
        assertEquals(CLUSTERS * NODES, dirs.size());
        List<ListenersFile.Bound> bound = new ArrayList<>();
        for (Path dir : dirs) {
          Awaitility.await()
              .atMost(Duration.ofSeconds(90))
              .pollInterval(Duration.ofMillis(200))
              .until(() -> listeners(dir).isPresent());
          bound.add(listeners(dir).orElseThrow());
        }
        System.out.printf(
            "MEASURED %d local machines made at once: every broker listening in %.1f s%n",
            dirs.size(), (System.nanoTime() - started) / 1e9);
        Set<Integer> ports = new HashSet<>();
        for (ListenersFile.Bound b : bound) {
          ports.add(b.kafkaPort());
          ports.add(b.httpPort());
          assertEquals(b.kafkaPort(), advertisedPort(b), "advertised == bound");
          try (Socket http = new Socket()) {
            http.connect(new InetSocketAddress("127.0.0.1", b.httpPort()), 2_000);
          }
        }
        assertEquals(2 * bound.size(), ports.size(), "no two listeners share a port: " + bound);
      } finally {
        for (ClusterRef cluster : clusters) {
          provider.destroy(cluster, allNodes());
        }
      }
    }
  }

  private static Set<String> allNodes() {
    Set<String> nodes = new HashSet<>();
    for (int n = 0; n < NODES; n++) {
      nodes.add("node-" + n);
    }
    return nodes;
  }

  /** What the broker of a machine bound; it runs in the machine's "agent" process. */
  private static Optional<ListenersFile.Bound> listeners(Path machineDir) {
    try {
      long pid = Long.parseLong(Files.readString(machineDir.resolve("agent.pid")).trim());
      return ListenersFile.read(machineDir.resolve("data/broker"), pid);
    } catch (Exception e) {
      return Optional.empty();
    }
  }

  private static int advertisedPort(ListenersFile.Bound b) throws Exception {
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + b.kafkaPort()))) {
      List<Node> nodes = List.copyOf(admin.describeCluster().nodes().get(15, TimeUnit.SECONDS));
      assertEquals(1, nodes.size());
      return nodes.get(0).port();
    }
  }

  private static List<Path> machineDirs() throws Exception {
    try (Stream<Path> dirs = Files.list(root)) {
      return dirs.filter(Files::isDirectory).sorted().toList();
    }
  }
}
