package io.flod.controlplane.e2e;

import static io.flod.broker.support.ZkProbe.refused;
import static io.flod.broker.support.ZkProbe.tree;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.flod.api.client.FlodClient;
import io.flod.broker.cluster.ZkLogin;
import io.flod.controlplane.ControlPlane;
import io.flod.controlplane.machines.MachineProviders;
import io.flod.controlplane.zk.ClusterCoordination;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two tenants' clusters on local machines (real agents and brokers) under one control plane and its
 * ZooKeeper. A shell on tenant alpha's machine has that machine's files, its processes'
 * environments and command lines: with exactly that, nothing of tenant beta's cluster is reachable
 * in ZooKeeper (every path of its tree is refused, as are the top of the tree and the list of
 * clusters), and none of beta's secrets (its SAS keys, the key its rules are sealed with, its
 * machines' ZooKeeper password) appears anywhere on alpha's machine.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TenantIsolationIT {
  @TempDir static Path dataDir;

  @RegisterExtension
  static final MachineLogsOnFailure machineLogs =
      new MachineLogsOnFailure(() -> dataDir.resolve("machines"));

  private ControlPlane controlPlane;
  private final Map<String, FlodClient> tenants = new HashMap<>();
  private final List<ZooKeeper> sessions = new ArrayList<>();

  @BeforeAll
  void start() {
    controlPlane =
        ControlPlane.builder()
            .dataDir(dataDir)
            .provisioner(url -> MachineProviders.local(dataDir, url))
            .reconcileIntervalMs(500)
            .heartbeatIntervalMs(500)
            .start();
    FlodClient operator =
        new FlodClient(controlPlane.baseUri(), controlPlane.operatorKey().secret());
    for (String tenant : List.of("alpha", "beta")) {
      operator.post("/v1/tenants", Map.of("name", tenant));
      String key =
          operator.post("/v1/tenants/" + tenant + "/keys", Map.of()).body().get("secret").asText();
      tenants.put(tenant, new FlodClient(controlPlane.baseUri(), key));
    }
  }

  @AfterAll
  void stop() throws Exception {
    for (ZooKeeper session : sessions) {
      session.close();
    }
    if (controlPlane != null) {
      try {
        for (String tenant : tenants.keySet()) {
          FlodClient.Response deleted = tenants.get(tenant).delete(cluster(tenant));
          if (deleted.location() != null) {
            Operations.awaitSuccess(tenants.get(tenant), deleted.location(), Duration.ofMinutes(2));
          }
        }
      } finally {
        controlPlane.close();
      }
    }
  }

  @Test
  void aShellOnOneTenantsMachineReachesNothingOfAnothers() throws Exception {
    Map<String, String> creations = new HashMap<>();
    for (String tenant : tenants.keySet()) {
      Map<String, Object> spec = new HashMap<>();
      spec.put("name", "main");
      spec.put("nodeCount", 1);
      spec.put("nodeSize", "small");
      spec.put("zones", List.of("z1"));
      spec.put("throughputUnits", 1);
      spec.put("brokerVersion", "4.0");
      spec.put("authentication", "SAS");
      creations.put(
          tenant, tenants.get(tenant).post("/v1/tenants/" + tenant + "/clusters", spec).location());
    }
    creations.forEach(
        (tenant, op) -> Operations.awaitSuccess(tenants.get(tenant), op, Duration.ofMinutes(3)));
    FlodClient beta = tenants.get("beta");
    beta.post(cluster("beta") + "/topics", Map.of("name", "payments", "partitions", 1));
    beta.post(
        cluster("beta") + "/authorizationRules",
        Map.of("name", "app", "rights", List.of("send", "listen")));
    JsonNode betaKeys =
        beta.post(cluster("beta") + "/authorizationRules/app/listKeys", null).body();
    // Beta's machine is the one that holds beta's topic; alpha's is the other.
    Path betaDir =
        Awaitility.await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> machineWith("payments-0"), java.util.Optional::isPresent)
            .orElseThrow();
    List<Machine> machines = machines();
    assertEquals(2, machines.size(), "one machine per cluster");
    Machine betaMachine =
        machines.stream().filter(m -> m.dir.equals(betaDir)).findFirst().orElseThrow();
    Machine alpha = machines.stream().filter(m -> !m.dir.equals(betaDir)).findFirst().orElseThrow();
    String alphaId = clusterIdOf(alpha);
    String betaId = clusterIdOf(betaMachine);
    String zkUser = alpha.broker.environment.get("FLOD_ZOOKEEPER_SASL_USERNAME");
    String zkPassword = alpha.broker.environment.get("FLOD_ZOOKEEPER_SASL_PASSWORD");
    assertEquals("cluster-" + alphaId, zkUser, "alpha's broker logs in as its cluster");
    String zkConnect = alpha.broker.argument("--zk");
    assertTrue(
        zkConnect.endsWith("/clusters/" + alphaId), "alpha's broker is chrooted: " + zkConnect);
    String zkServer = zkConnect.substring(0, zkConnect.indexOf('/'));

    // Nothing of beta's is on alpha's machine, in its processes or its files.
    String everythingOnAlpha = alpha.everything();
    Map<String, String> betaSecrets =
        Map.of(
            "beta's primary SAS key", betaKeys.get("primaryKey").asText(),
            "beta's secondary SAS key", betaKeys.get("secondaryKey").asText(),
            "beta's rules key", betaMachine.broker.environment.get("FLOD_SAS_RULES_KEY"),
            "beta's ZooKeeper password",
                betaMachine.broker.environment.get("FLOD_ZOOKEEPER_SASL_PASSWORD"));
    betaSecrets.forEach(
        (what, secret) -> {
          assertNotNull(secret, what);
          assertFalse(everythingOnAlpha.contains(secret), what + " is on alpha's machine");
        });
    assertFalse(everythingOnAlpha.contains(betaId), "alpha's machine does not even name beta");

    // With alpha's identity: its own root answers, beta's tree and the top do not.
    ZooKeeper asAlpha = session(zkServer, ZkLogin.clientConfig(zkUser, zkPassword));
    assertTrue(asAlpha.getChildren("/clusters/" + alphaId, false).contains("flod-" + alphaId));
    ZooKeeper asOperator = ClusterCoordination.connect(zkServer); // this JVM is the control plane
    sessions.add(asOperator);
    List<String> betaTree = tree(asOperator, "/clusters/" + betaId);
    assertTrue(
        betaTree.stream().anyMatch(p -> p.endsWith("/flod/sas-rules")),
        "beta's tree holds its rules: " + betaTree.size() + " nodes");
    int checked = 0;
    for (String path : betaTree) {
      try {
        refused(() -> asAlpha.getData(path, false, null), "read " + path);
        refused(() -> asAlpha.getChildren(path, false), "list " + path);
        refused(() -> asAlpha.setData(path, new byte[0], -1), "write " + path);
        refused(
            () ->
                asAlpha.create(
                    path + "/x", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
            "create under " + path);
        checked++;
      } catch (KeeperException.NoNodeException vanished) {
        // A transient node (a Helix message, a session's state) went since the walk.
        assertEquals(null, asOperator.exists(path, false), "refused, not missing: " + path);
      }
    }
    assertTrue(checked > 20, "most of beta's tree was tried: " + checked);
    for (String top : List.of("/", "/clusters")) {
      refused(() -> asAlpha.getChildren(top, false), "list " + top);
    }
    refused(
        () ->
            asAlpha.create(
                "/mine", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
        "create at the top");

    // Without any identity (a shell that ignores alpha's): nothing at all.
    org.apache.zookeeper.client.ZKClientConfig anonymous =
        new org.apache.zookeeper.client.ZKClientConfig();
    anonymous.setProperty(
        org.apache.zookeeper.client.ZKClientConfig.ENABLE_CLIENT_SASL_KEY, "false");
    ZooKeeper nobody = session(zkServer, anonymous);
    for (String path : List.of("/", "/clusters/" + alphaId, "/clusters/" + betaId)) {
      refused(() -> nobody.getChildren(path, false), "anonymous list " + path);
    }
  }

  private static String cluster(String tenant) {
    return "/v1/tenants/" + tenant + "/clusters/main";
  }

  /** A process seen from a shell on its machine: its environment and command line. */
  private record Proc(Map<String, String> environment, List<String> commandLine) {
    static Proc of(Path pidFile) throws IOException {
      String pid = Files.readString(pidFile, StandardCharsets.UTF_8).trim();
      Map<String, String> environment = new HashMap<>();
      for (String entry : split(Path.of("/proc", pid, "environ"))) {
        int eq = entry.indexOf('=');
        if (eq > 0) {
          environment.put(entry.substring(0, eq), entry.substring(eq + 1));
        }
      }
      return new Proc(environment, split(Path.of("/proc", pid, "cmdline")));
    }

    private static List<String> split(Path file) throws IOException {
      return List.of(new String(Files.readAllBytes(file), StandardCharsets.UTF_8).split("\0"));
    }

    String argument(String name) {
      int at = commandLine.indexOf(name);
      assertTrue(at >= 0 && at + 1 < commandLine.size(), name + " in " + commandLine);
      return commandLine.get(at + 1);
    }
  }

  /** A local machine: its directory, its agent and its broker. */
  private record Machine(Path dir, Proc agent, Proc broker) {
    /** Every file's text on the machine, and its processes' environments and command lines. */
    String everything() throws IOException {
      StringBuilder all = new StringBuilder();
      for (Proc p : List.of(agent, broker)) {
        all.append(p.environment).append('\n').append(p.commandLine).append('\n');
      }
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path file : files.filter(Files::isRegularFile).toList()) {
          if (Files.size(file) < 16 * 1024 * 1024) {
            all.append(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
          }
        }
      }
      return all.toString();
    }
  }

  /** The running machines: a broker and an agent each. */
  private static List<Machine> machines() throws IOException {
    List<Machine> out = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(dataDir.resolve("machines"))) {
      for (Path dir : dirs.filter(Files::isDirectory).toList()) {
        Path brokerPid = dir.resolve("data").resolve("broker.pid");
        if (Files.exists(brokerPid) && Files.exists(dir.resolve("agent.pid"))) {
          out.add(new Machine(dir, Proc.of(dir.resolve("agent.pid")), Proc.of(brokerPid)));
        }
      }
    }
    return out;
  }

  private static java.util.Optional<Path> machineWith(String partitionDir) throws IOException {
    for (Machine machine : machines()) {
      if (Files.isDirectory(machine.dir.resolve("data/broker/logs").resolve(partitionDir))) {
        return java.util.Optional.of(machine.dir);
      }
    }
    return java.util.Optional.empty();
  }

  /** A machine's cluster, as its broker's identity names it. */
  private static String clusterIdOf(Machine machine) {
    String user = machine.broker.environment.get("FLOD_ZOOKEEPER_SASL_USERNAME");
    assertNotNull(user, "the broker has a ZooKeeper identity");
    assertTrue(user.startsWith("cluster-"), user);
    return user.substring("cluster-".length());
  }

  private ZooKeeper session(String server, org.apache.zookeeper.client.ZKClientConfig config)
      throws Exception {
    CountDownLatch connected = new CountDownLatch(1);
    ZooKeeper zk =
        new ZooKeeper(
            server,
            10_000,
            event -> {
              if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
              }
            },
            config);
    sessions.add(zk);
    assertTrue(connected.await(10, TimeUnit.SECONDS), "connected to ZooKeeper");
    return zk;
  }
}
