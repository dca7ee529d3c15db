package io.flod.controlplane.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.flod.api.client.FlodClient;
import io.flod.broker.cluster.EmbeddedZooKeeper;
import io.flod.controlplane.ControlPlane;
import io.flod.controlplane.cluster.ClusterReconciler;
import io.flod.controlplane.machines.MachineProviders;
import io.flod.controlplane.testing.LinkCutter;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
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
import org.slf4j.LoggerFactory;

/**
 * Healing never destroys data (issue 16): a 3-node cluster on the local provider whose machines
 * reach the control plane's API and ZooKeeper only through {@link LinkCutter}s, with a short grace
 * period (6 s).
 *
 * <ol>
 *   <li>The machine holding the only in-sync copy of a partition hangs (SIGSTOP: the provider sees
 *       it running, its agent is silent) far past the grace period: it is not destroyed, the status
 *       says why, and once it resumes the record is read back.
 *   <li>The control plane is partitioned from every machine (API and ZooKeeper) for ten times the
 *       grace period (or {@code -Dflod.heal.partitionSeconds}) while a producer writes with
 *       acks=all: no machine is destroyed or restarted, the status and one log line with the
 *       cluster id say healing is paused, the cluster serves again after the partition heals, and
 *       every acknowledged record is read back.
 * </ol>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HealingSafetyIT {
  private static final String CLUSTER = "/v1/tenants/heal/clusters/h1";
  private static final String TOPIC = "orders"; // what ClusterLifecycleIT.SteadyProducer writes
  private static final String SOLO = "solo";
  private static final Duration GRACE = Duration.ofSeconds(6);
  @TempDir static Path dataDir;

  @RegisterExtension
  static final MachineLogsOnFailure machineLogs =
      new MachineLogsOnFailure(() -> dataDir.resolve("machines"));

  private EmbeddedZooKeeper zookeeper;
  private LinkCutter apiLink;
  private LinkCutter zkLink;
  private ControlPlane controlPlane;
  private FlodClient api;
  private final ListAppender<ILoggingEvent> reconcilerLog = new ListAppender<>();
  private final Set<Long> pidsSeen = new HashSet<>();

  @BeforeAll
  void start() throws Exception {
    zookeeper = EmbeddedZooKeeper.start(dataDir.resolve("zookeeper"), 0);
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    apiLink = LinkCutter.to("127.0.0.1", port);
    zkLink = LinkCutter.to(zookeeper.connectString());
    reconcilerLog.start();
    ((Logger) LoggerFactory.getLogger(ClusterReconciler.class)).addAppender(reconcilerLog);
    controlPlane =
        ControlPlane.builder()
            .port(port)
            .dataDir(dataDir)
            .zkConnect(zookeeper.connectString())
            .publicUrl("http://" + apiLink.address())
            .machineZkConnect(zkLink.address())
            .provisioner(url -> MachineProviders.local(dataDir, url))
            .reconcileIntervalMs(500)
            .heartbeatIntervalMs(500)
            .nodeGrace(GRACE)
            .start();
    FlodClient operator =
        new FlodClient(controlPlane.baseUri(), controlPlane.operatorKey().secret());
    operator.post("/v1/tenants", Map.of("name", "heal"));
    String key = operator.post("/v1/tenants/heal/keys", Map.of()).body().get("secret").asText();
    api = new FlodClient(controlPlane.baseUri(), key);
    FlodClient.Response accepted =
        api.post(
            "/v1/tenants/heal/clusters",
            Map.of(
                "name",
                "h1",
                "nodeCount",
                3,
                "nodeSize",
                "small",
                "zones",
                List.of("z1", "z2", "z3"),
                "throughputUnits",
                1,
                "brokerVersion",
                "4.0",
                "authentication",
                "None"));
    Operations.awaitSuccess(api, accepted.location(), Duration.ofMinutes(3));
    api.post(
        CLUSTER + "/topics",
        Map.of("name", TOPIC, "partitions", 3, "replicationFactor", 3, "minInsyncReplicas", 2));
    api.post(
        CLUSTER + "/topics",
        Map.of("name", SOLO, "partitions", 1, "replicationFactor", 1, "minInsyncReplicas", 1));
    try (Admin admin = admin()) {
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(
              () ->
                  describe(admin, TOPIC).partitions().stream().allMatch(p -> p.leader() != null)
                      && describe(admin, SOLO).partitions().get(0).leader() != null);
    }
  }

  @AfterAll
  void stop() throws IOException {
    ((Logger) LoggerFactory.getLogger(ClusterReconciler.class)).detachAppender(reconcilerLog);
    collectPids();
    for (long pid : pidsSeen) { // SIGCONT first, or a stopped process cannot stop
      signal("CONT", pid);
    }
    if (controlPlane != null) {
      controlPlane.close();
    }
    for (long pid : pidsSeen) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
    for (AutoCloseable c : new AutoCloseable[] {apiLink, zkLink, zookeeper}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        // closing anyway
      }
    }
  }

  @Test
  @Order(1)
  void aHungMachineHoldingTheLastInSyncCopyIsKeptAndItsRecordReadOnceItIsBack() throws Exception {
    String value = "only-copy-" + System.nanoTime();
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(ClusterLifecycleIT.producerProps(bootstrap()))) {
      producer.send(new ProducerRecord<>(SOLO, "k", value)).get(30, TimeUnit.SECONDS);
    }
    int holder;
    try (Admin admin = admin()) {
      holder = describe(admin, SOLO).partitions().get(0).leader().id();
    }
    String node = "node-" + holder;
    Path machine = machineDir(node);
    long agentPid = pid(machine.resolve("agent.pid"));
    long brokerPid = pid(machine.resolve("data/broker.pid"));
    signal("STOP", agentPid);
    signal("STOP", brokerPid);
    long stopped = System.nanoTime();
    try {
      String expected =
          "healing waits: "
              + node
              + " holds the last in-sync copy of "
              + SOLO
              + "-0, so its machine is kept until it is back";
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(500))
          .until(
              () -> {
                assertEquals(
                    agentPid, pid(machine.resolve("agent.pid")), "the machine was not replaced");
                return expected.equals(stateReason());
              });
      System.out.printf(
          "MEASURED hung holder of the last in-sync copy: reason in the status after %.1f s%n",
          (System.nanoTime() - stopped) / 1e9);
      // Well past the grace period, the machine is still there, untouched.
      Awaitility.await()
          .pollDelay(GRACE.multipliedBy(3))
          .atMost(GRACE.multipliedBy(4))
          .until(() -> true);
      assertTrue(Files.isDirectory(machine.resolve("data")), "the machine's disk is kept");
      assertEquals(agentPid, pid(machine.resolve("agent.pid")), "the machine was not replaced");
      assertTrue(ProcessHandle.of(agentPid).isPresent(), "its agent was not stopped");
      assertEquals(expected, stateReason());
    } finally {
      signal("CONT", agentPid);
      signal("CONT", brokerPid);
    }
    awaitReadyAndHealed();
    assertEquals(agentPid, pid(machine.resolve("agent.pid")));
    assertTrue(readAll(SOLO).contains(value), "the only copy was read back");
  }

  @Test
  @Order(2)
  void aPartitionFromEveryMachineDestroysNothingAndLosesNothing() throws Exception {
    Map<String, Long> agentsBefore = agentPids();
    assertEquals(3, agentsBefore.size(), "machines: " + agentsBefore);
    Duration partition =
        Duration.ofSeconds(
            Long.getLong("flod.heal.partitionSeconds", GRACE.multipliedBy(10).toSeconds()));
    reconcilerLog.list.clear();
    Set<String> acked;
    try (ClusterLifecycleIT.SteadyProducer producer =
        new ClusterLifecycleIT.SteadyProducer(bootstrap())) {
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> producer.ackedSoFar() > 20);
      apiLink.cut();
      zkLink.cut();
      long cut = System.nanoTime();
      String paused =
          "healing paused: 3 of 3 nodes silent, treating as a network partition or outage";
      try {
        Awaitility.await()
            .atMost(GRACE.plusSeconds(30))
            .pollInterval(Duration.ofMillis(500))
            .until(
                () -> {
                  assertEquals(agentsBefore, agentPids(), "no machine destroyed or replaced");
                  return paused.equals(stateReason());
                });
        System.out.printf(
            "MEASURED partition from every machine: healing paused in the status after %.1f s%n",
            (System.nanoTime() - cut) / 1e9);
        // Through the whole partition: every machine stays, with the same agent.
        long end = cut + partition.toNanos();
        while (System.nanoTime() < end) {
          assertEquals(agentsBefore, agentPids(), "no machine destroyed or replaced");
          assertEquals(paused, stateReason());
          Thread.sleep(1_000);
        }
      } finally {
        apiLink.heal();
        zkLink.heal();
      }
      long healed = System.nanoTime();
      List<String> logged =
          reconcilerLog.list.stream()
              .map(ILoggingEvent::getFormattedMessage)
              .filter(m -> m.endsWith(paused))
              .toList();
      assertEquals(1, logged.size(), "one log line says why healing waited: " + logged);
      assertTrue(logged.get(0).matches("cluster=[0-9a-f-]{36} .*"), logged.get(0));

      awaitReadyAndHealed();
      System.out.printf(
          "MEASURED %d s partition healed: cluster Ready with every broker running after %.1f s%n",
          partition.toSeconds(), (System.nanoTime() - healed) / 1e9);
      long before = producer.ackedSoFar();
      Awaitility.await()
          .atMost(Duration.ofSeconds(120))
          .until(() -> producer.ackedSoFar() > before + 20);
      System.out.printf(
          "MEASURED producer acknowledged again %.1f s after the partition healed%n",
          (System.nanoTime() - healed) / 1e9);
      acked = producer.stopAndGetAcked();
    }
    assertEquals(agentsBefore, agentPids(), "no machine destroyed or replaced");
    Set<String> lost = new HashSet<>(acked);
    lost.removeAll(readAll(TOPIC));
    assertEquals(Set.of(), lost, "acknowledged records lost (of " + acked.size() + ")");
  }

  // --- helpers ---

  /** The values of {@code flod_partitions_offline} the control plane's /metrics shows. */
  private List<String> offlineMetric() throws Exception {
    java.net.http.HttpResponse<String> scrape =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(controlPlane.baseUri().resolve("/metrics"))
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    return scrape
        .body()
        .lines()
        .filter(l -> l.startsWith("flod_partitions_offline{"))
        .map(l -> l.substring(l.lastIndexOf(' ') + 1))
        .toList();
  }

  @Test
  @Order(3)
  void theOnlyInSyncReplicaBackOnAWipedDiskStaysOfflineUntilTheLossIsAcceptedThroughTheApi()
      throws Exception {
    String value = "before-the-wipe-" + System.nanoTime();
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(ClusterLifecycleIT.producerProps(bootstrap()))) {
      producer.send(new ProducerRecord<>(SOLO, "k", value)).get(30, TimeUnit.SECONDS);
    }
    int holder;
    try (Admin admin = admin()) {
      holder = describe(admin, SOLO).partitions().get(0).leader().id();
    }
    FlodClient.ApiError healthy =
        assertThrows(
            FlodClient.ApiError.class,
            () ->
                api.post(CLUSTER + "/topics/" + TOPIC + "/partitions/0/acceptDataLoss", Map.of()));
    assertEquals(409, healthy.status(), "a partition with an in-sync leader loses nothing");

    // The disk of the only replica dies: its broker comes back on an empty data directory.
    Path machine = machineDir("node-" + holder);
    long agentPid = pid(machine.resolve("agent.pid"));
    long brokerPid = pid(machine.resolve("data/broker.pid"));
    signal("STOP", agentPid);
    try {
      signal("KILL", brokerPid);
      // Its parent, the agent, is stopped and cannot reap it: dead means gone or a zombie.
      Path stat = Path.of("/proc/" + brokerPid + "/stat");
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .ignoreExceptions()
          .until(() -> !Files.exists(stat) || Files.readString(stat).contains(") Z "));
      wipe(machine.resolve("data/broker/logs"));
    } finally {
      signal("CONT", agentPid);
    }
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .ignoreExceptions()
        .until(() -> pid(machine.resolve("data/broker.pid")) != brokerPid);

    // Back and live, but not the replica that was in sync: no leader, and it stays so.
    try (Admin admin = admin()) {
      Awaitility.await()
          .during(Duration.ofSeconds(8))
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .until(() -> describe(admin, SOLO).partitions().get(0).leader() == null);
    }
    // The cluster's status and metrics say which partition is offline, and why.
    JsonNode offline = api.get(CLUSTER).body().get("status").get("offlinePartitions");
    assertEquals(1, offline.size(), offline.toString());
    assertEquals(SOLO + "-0", offline.get(0).get("partition").asText());
    assertTrue(
        offline.get(0).get("reason").asText().contains("back without the data they held"),
        offline.toString());
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> offlineMetric().equals(List.of("1.0")));
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> api.get(CLUSTER).body().get("status").get("state").asText().equals("Degraded"));

    FlodClient.Response accepted =
        api.post(CLUSTER + "/topics/" + SOLO + "/partitions/0/acceptDataLoss", Map.of());
    assertEquals(200, accepted.status(), accepted.body().toString());
    JsonNode op = api.get(accepted.location()).body();
    assertEquals("ACCEPT_DATA_LOSS", op.get("kind").asText());
    assertEquals("Succeeded", op.get("status").asText());
    assertEquals("tenant heal", op.get("requestedBy").asText());
    assertTrue(op.get("detail").asText().contains("broker " + holder), op.toString());

    try (Admin admin = admin()) {
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(() -> describe(admin, SOLO).partitions().get(0).leader() != null);
    }
    String after = "after-the-loss-" + System.nanoTime();
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(ClusterLifecycleIT.producerProps(bootstrap()))) {
      long offset =
          producer.send(new ProducerRecord<>(SOLO, "k", after)).get(30, TimeUnit.SECONDS).offset();
      assertEquals(0, offset, "the partition starts again from offset 0");
    }
    Set<String> read = readAll(SOLO);
    assertTrue(read.contains(after));
    assertEquals(0, api.get(CLUSTER).body().get("status").get("offlinePartitions").size());
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> offlineMetric().equals(List.of("0.0")));
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> api.get(CLUSTER).body().get("status").get("state").asText().equals("Ready"));
    assertFalse(read.contains(value), "a lost record is not reported as present");
  }

  private static void wipe(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private void awaitReadyAndHealed() {
    Awaitility.await()
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .until(
            () -> {
              JsonNode status = api.get(CLUSTER).body().get("status");
              boolean running = true;
              for (JsonNode n : status.get("nodes")) {
                running &= "running".equals(n.get("brokerState").asText());
              }
              return running
                  && "Ready".equals(status.get("state").asText())
                  && status.get("stateReason").isNull();
            });
  }

  private String stateReason() {
    JsonNode reason = api.get(CLUSTER).body().at("/status/stateReason");
    return reason.isMissingNode() || reason.isNull() ? null : reason.asText();
  }

  private String bootstrap() {
    String bootstrap = api.get(CLUSTER).body().at("/status/bootstrapServers").asText();
    assertNotNull(bootstrap);
    return bootstrap;
  }

  private Admin admin() {
    return Admin.create(Map.of("bootstrap.servers", bootstrap()));
  }

  private static TopicDescription describe(Admin admin, String topic) throws Exception {
    return admin
        .describeTopics(List.of(topic))
        .allTopicNames()
        .get(10, TimeUnit.SECONDS)
        .get(topic);
  }

  /** Every value in the topic, read from the beginning to the end offsets. */
  private Set<String> readAll(String topic) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    Set<String> values = new HashSet<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(60));
      long deadline = System.currentTimeMillis() + 60_000;
      while (System.currentTimeMillis() < deadline
          && partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
          values.add(r.value());
        }
      }
    }
    return values;
  }

  /** Each machine directory's name and its agent's pid: a replaced machine changes either. */
  private Map<String, Long> agentPids() throws IOException {
    Map<String, Long> out = new TreeMap<>();
    try (Stream<Path> dirs = Files.list(dataDir.resolve("machines"))) {
      for (Path dir : dirs.toList()) {
        if (Files.exists(dir.resolve("agent.pid"))) {
          out.put(dir.getFileName().toString(), pid(dir.resolve("agent.pid")));
        }
      }
    }
    return out;
  }

  private Path machineDir(String node) throws IOException {
    try (Stream<Path> dirs = Files.list(dataDir.resolve("machines"))) {
      return dirs.filter(d -> d.getFileName().toString().endsWith("-" + node))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no machine for " + node));
    }
  }

  private long pid(Path pidFile) throws IOException {
    long pid = Long.parseLong(Files.readString(pidFile).trim());
    pidsSeen.add(pid);
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
          // a machine being destroyed meanwhile
        }
      }
    }
  }

  private static void signal(String signal, long pid) {
    try {
      new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start().waitFor();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
