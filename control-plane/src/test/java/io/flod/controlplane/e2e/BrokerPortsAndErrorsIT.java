package io.flod.controlplane.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.flod.api.client.FlodClient;
import io.flod.broker.support.InProcessBroker;
import io.flod.controlplane.ControlPlane;
import io.flod.controlplane.cli.UpCommandReport;
import io.flod.controlplane.machines.MachineProviders;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A one-node cluster on the local provider whose broker meets the failures of issue 26: its port
 * taken by another process before it restarts (it comes up on another port, which the status, the
 * bootstrap servers and Metadata name, and clients reach it there), then a data directory it cannot
 * use (within seconds the status names the node, {@code crashLooping} and the cause; a scale that
 * cannot finish says so in its operation; {@code bin/flod up}'s report prints it).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BrokerPortsAndErrorsIT {
  private static final String CLUSTER = "/v1/tenants/e2e/clusters/c1";
  @TempDir static Path dataDir;

  @RegisterExtension
  static final MachineLogsOnFailure machineLogs =
      new MachineLogsOnFailure(() -> dataDir.resolve("machines"));

  private ControlPlane controlPlane;
  private FlodClient api;
  private final Set<Long> pids = new HashSet<>();

  @BeforeAll
  void start() {
    controlPlane =
        ControlPlane.builder()
            .dataDir(dataDir)
            .provisioner(url -> MachineProviders.local(dataDir, url))
            .reconcileIntervalMs(500)
            .heartbeatIntervalMs(500)
            .nodeGrace(Duration.ofSeconds(60)) // a crash-looping broker is not a silent machine
            .start();
    FlodClient operator =
        new FlodClient(controlPlane.baseUri(), controlPlane.operatorKey().secret());
    operator.post("/v1/tenants", Map.of("name", "e2e"));
    String key = operator.post("/v1/tenants/e2e/keys", Map.of()).body().get("secret").asText();
    api = new FlodClient(controlPlane.baseUri(), key);
  }

  @AfterAll
  void stop() throws IOException {
    collectPids();
    if (controlPlane != null) {
      controlPlane.close();
    }
    for (long pid : pids) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  @Test
  @Order(1)
  void aBrokerWhosePortWasTakenComesUpOnAnotherThatClientsAreGiven() throws Exception {
    FlodClient.Response accepted =
        api.post(
            "/v1/tenants/e2e/clusters",
            Map.of(
                "name", "c1",
                "nodeCount", 1,
                "nodeSize", "small",
                "zones", List.of("z1"),
                "throughputUnits", 1,
                "brokerVersion", "4.0",
                "authentication", "None"));
    Operations.awaitSuccess(api, accepted.location(), Duration.ofMinutes(2));
    api.post(CLUSTER + "/topics", Map.of("name", "t", "partitions", 1, "replicationFactor", 1));
    String before = awaitRunningAddress();
    int oldPort = port(before);

    // The broker dies and, before its agent restarts it, another process takes its port.
    Path machine = machineDir("node-0");
    ProcessHandle broker = ProcessHandle.of(pid(machine.resolve("data/broker.pid"))).orElseThrow();
    broker.destroyForcibly();
    broker.onExit().get(10, TimeUnit.SECONDS);
    try (ServerSocket thief = new ServerSocket(oldPort, 50, InetAddress.getByName("127.0.0.1"))) {
      long taken = System.nanoTime();
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> !awaitRunningAddress().equals(before));
      System.out.printf(
          "MEASURED broker back on another port after its port was taken: %.1f s%n",
          (System.nanoTime() - taken) / 1e9);
      String after = awaitRunningAddress();
      assertNotEquals(oldPort, port(after));
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> after.equals(status().at("/status/bootstrapServers").asText()));
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", after))) {
        List<Integer> advertised =
            admin.describeCluster().nodes().get(15, TimeUnit.SECONDS).stream()
                .map(Node::port)
                .toList();
        assertEquals(List.of(port(after)), advertised, "Metadata advertises the bound port");
      }
      try (var producer = new KafkaProducer<String, String>(InProcessBroker.producerProps(after))) {
        Awaitility.await()
            .atMost(Duration.ofSeconds(30))
            .ignoreExceptions()
            .until(
                () -> {
                  producer.send(new ProducerRecord<>("t", "k", "v")).get(5, TimeUnit.SECONDS);
                  return true;
                });
      }
    }
  }

  @Test
  @Order(2)
  void aBrokerThatCannotStartIsNamedWithItsCauseInStatusOperationAndFlodUp() throws Exception {
    Path machine = machineDir("node-0");
    Path meta = machine.resolve("data/broker/meta");
    Files.move(meta, meta.resolveSibling("meta.moved"));
    Files.writeString(meta, "not a directory"); // as root, permissions would not stop it
    ProcessHandle broker = ProcessHandle.of(pid(machine.resolve("data/broker.pid"))).orElseThrow();
    long killed = System.nanoTime();
    broker.destroyForcibly();
    JsonNode node =
        Awaitility.await()
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(200))
            .until(
                () -> nodeView("node-0"),
                n -> "crashLooping".equals(n.path("brokerState").asText()));
    System.out.printf(
        "MEASURED broker failing at start reported crashLooping with its cause: %.1f s%n",
        (System.nanoTime() - killed) / 1e9);
    assertEquals(1, node.path("lastExitCode").asInt(), node.toString());
    assertEquals(
        "exists and is not a directory: " + meta, node.path("lastError").asText(), node.toString());

    FlodClient.Response scale = api.patch(CLUSTER, Map.of("nodeCount", 2));
    JsonNode op =
        Awaitility.await()
            .atMost(Duration.ofSeconds(20))
            .pollInterval(Duration.ofMillis(200))
            .until(() -> api.get(scale.location()).body(), o -> o.has("error"));
    assertEquals("InProgress", op.get("status").asText(), op.toString());
    assertEquals("BrokerNotStarting", op.at("/error/code").asText());
    String message = op.at("/error/message").asText();
    assertTrue(
        message.startsWith("node-0: broker crashLooping (exit 1): exists and is not a directory"),
        message);

    String report = UpCommandReport.notReady(status(), dataDir);
    assertTrue(
        report.contains(
            "node-0: broker crashLooping (exit 1): exists and is not a directory: " + meta),
        report);
  }

  private JsonNode status() {
    return api.get(CLUSTER).body();
  }

  /** The node's broker address once its agent reports it running. */
  private String awaitRunningAddress() {
    return Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> nodeView("node-0"),
            n -> "running".equals(n.path("brokerState").asText()) && n.hasNonNull("brokerAddress"))
        .get("brokerAddress")
        .asText();
  }

  private JsonNode nodeView(String node) {
    for (JsonNode n : status().at("/status/nodes")) {
      if (n.get("nodeId").asText().equals(node)) {
        return n;
      }
    }
    throw new AssertionError("no " + node);
  }

  private static int port(String hostPort) {
    return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
  }

  private Path machineDir(String node) throws IOException {
    try (Stream<Path> dirs = Files.list(dataDir.resolve("machines"))) {
      return dirs.filter(d -> d.getFileName().toString().endsWith("-" + node))
          .findFirst()
          .orElseThrow();
    }
  }

  private long pid(Path pidFile) throws IOException {
    long pid = Long.parseLong(Files.readString(pidFile).trim());
    pids.add(pid);
    return pid;
  }

  private void collectPids() throws IOException {
    Path machines = dataDir.resolve("machines");
    if (!Files.isDirectory(machines)) {
      return;
    }
    try (Stream<Path> files = Files.walk(machines)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".pid")).toList()) {
        try {
          pid(f);
        } catch (IOException | NumberFormatException e) {
          // a pid file being written
        }
      }
    }
  }
}
