package io.flod.controlplane.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.flod.api.client.FlodClient;
import io.flod.controlplane.ControlPlane;
import io.flod.controlplane.machines.MachineProviders;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole loop a user sees, through the REST API only (plus Kafka clients for data): a cluster on
 * the local provider (node-agent processes that run real brokers), Ready, produce and consume with
 * acks=all, a broker SIGKILLed and restarted by its agent, scale 3 → 5 and 5 → 3 while producing
 * with nothing lost, a machine (agent and broker) SIGKILLed and started again, a frozen machine
 * (SIGSTOP) replaced after the grace period with its replicas rebuilt, and delete with every
 * process and directory gone. Figures go to stdout as "MEASURED ..." lines.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterLifecycleIT {
  private static final String CLUSTER = "/v1/tenants/e2e/clusters/c1";
  private static final String TOPIC = "orders";
  @TempDir static Path dataDir;

  @RegisterExtension
  static final MachineLogsOnFailure machineLogs =
      new MachineLogsOnFailure(() -> dataDir.resolve("machines"));

  private ControlPlane controlPlane;
  private FlodClient api;
  private final Set<Long> pidsSeen = ConcurrentHashMap.newKeySet();

  /**
   * The steps build on each other: once one fails, the later ones are skipped (the last, delete,
   * still runs to clean up) instead of each waiting out its timeouts on a cluster that is not
   * there.
   */
  private boolean stepsSoFarPassed = true;

  private void beginStep() {
    Assumptions.assumeTrue(stepsSoFarPassed, "an earlier step of the lifecycle failed");
    stepsSoFarPassed = false;
  }

  @BeforeAll
  void start() {
    controlPlane =
        ControlPlane.builder()
            .dataDir(dataDir)
            .provisioner(url -> MachineProviders.local(dataDir, url))
            .reconcileIntervalMs(500)
            .heartbeatIntervalMs(500)
            .nodeGrace(Duration.ofSeconds(8))
            .start();
    FlodClient operator =
        new FlodClient(controlPlane.baseUri(), controlPlane.operatorKey().secret());
    operator.post("/v1/tenants", Map.of("name", "e2e"));
    String key = operator.post("/v1/tenants/e2e/keys", Map.of()).body().get("secret").asText();
    api = new FlodClient(controlPlane.baseUri(), key);
  }

  @AfterAll
  void stop() throws IOException {
    if (controlPlane != null) {
      controlPlane.close();
    }
    // Whatever a failed test left running is stopped by pid.
    collectPids();
    for (long pid : pidsSeen) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  @Test
  @Order(1)
  void createdClusterTurnsReadyAndServesKafkaClients() throws Exception {
    beginStep();
    long started = System.nanoTime();
    FlodClient.Response accepted =
        api.post(
            "/v1/tenants/e2e/clusters",
            Map.of(
                "name",
                "c1",
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
    assertEquals(202, accepted.status());
    awaitOperation(accepted.location(), Duration.ofMinutes(3));
    double seconds = (System.nanoTime() - started) / 1e9;
    System.out.printf("MEASURED create 3 nodes: POST to Ready in %.1f s%n", seconds);

    JsonNode cluster = api.get(CLUSTER).body();
    assertEquals("Ready", cluster.at("/status/state").asText());
    assertEquals(3, cluster.at("/status/nodes").size());
    assertEquals(3, bootstrap().split(",").length);
    // Ready means every broker is in the cluster; the agents say "running" with their next
    // heartbeat, which may come a moment later.
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              List<String> states = new ArrayList<>();
              api.get(CLUSTER)
                  .body()
                  .at("/status/nodes")
                  .forEach(n -> states.add(n.get("brokerState").asText()));
              return states.equals(List.of("running", "running", "running"));
            });

    api.post(
        CLUSTER + "/topics",
        Map.of("name", TOPIC, "partitions", 6, "replicationFactor", 3, "minInsyncReplicas", 2));
    try (Admin admin = admin()) {
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(() -> describe(admin).partitions().stream().allMatch(p -> p.leader() != null));
    }
    Set<String> sent = produce(0, 500);
    assertEquals(sent, consumeAll());

    // A PATCH of the topic's retention reaches the brokers' topic config.
    api.patch(CLUSTER + "/topics/" + TOPIC, Map.of("retentionHours", 48));
    ConfigResource topicConfig = new ConfigResource(ConfigResource.Type.TOPIC, TOPIC);
    try (Admin admin = admin()) {
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .until(
              () ->
                  admin
                      .describeConfigs(List.of(topicConfig))
                      .all()
                      .get(10, TimeUnit.SECONDS)
                      .get(topicConfig)
                      .get("retention.ms")
                      .value()
                      .equals(Long.toString(48L * 3_600_000)));
    }
    stepsSoFarPassed = true;
  }

  @Test
  @Order(2)
  void aKilledBrokerIsRestartedByItsAgentAndLeadershipMovesAtOnce() throws Exception {
    beginStep();
    Path machine = machineDir("node-1");
    long brokerPid = pid(machine.resolve("data/broker.pid"));
    try (Admin admin = admin()) {
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(() -> ledBy(describe(admin), 1) > 0);
      long killed = System.nanoTime();
      ProcessHandle.of(brokerPid).orElseThrow().destroyForcibly();
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(100))
          .ignoreExceptions()
          .until(
              () ->
                  describe(admin).partitions().stream()
                      .allMatch(p -> p.leader() != null && p.leader().id() != 1));
      System.out.printf(
          "MEASURED leadership gap after SIGKILL of a broker (agent's fast detection): %.2f s%n",
          (System.nanoTime() - killed) / 1e9);
    }
    Awaitility.await()
        .atMost(Duration.ofSeconds(90))
        .ignoreExceptions()
        .until(
            () -> {
              JsonNode node = nodeView("node-1");
              return node.get("restarts").asInt() >= 1
                  && "running".equals(node.get("brokerState").asText());
            });
    assertNotEquals(brokerPid, pid(machine.resolve("data/broker.pid")));
    Set<String> sent = produce(500, 200);
    assertTrue(consumeAll().containsAll(sent));
    stepsSoFarPassed = true;
  }

  @Test
  @Order(3)
  void scaleOutToFiveAndBackToThreeLosesNothing() throws Exception {
    beginStep();
    try (SteadyProducer producer = new SteadyProducer(bootstrap())) {
      long started = System.nanoTime();
      FlodClient.Response out = api.patch(CLUSTER, Map.of("nodeCount", 5));
      awaitOperation(out.location(), Duration.ofMinutes(4));
      System.out.printf(
          "MEASURED scale 3 -> 5 (replicas moved onto the new nodes): %.1f s%n",
          (System.nanoTime() - started) / 1e9);
      try (Admin admin = admin()) {
        // The operation ends when the moves have completed in ZooKeeper; a broker's metadata
        // follows within a second or so.
        TopicDescription d =
            Awaitility.await()
                .atMost(Duration.ofSeconds(15))
                .ignoreExceptions()
                .until(
                    () -> describe(admin),
                    t -> t.partitions().stream().allMatch(p -> p.replicas().size() == 3));
        Set<Integer> used = new HashSet<>();
        for (TopicPartitionInfo p : d.partitions()) {
          p.replicas().forEach(r -> used.add(r.id()));
          // Zones: node i is in zone z(i mod 3), so the three replicas sit in three zones.
          assertEquals(
              3, p.replicas().stream().map(r -> r.id() % 3).distinct().count(), "zones of " + p);
        }
        assertTrue(used.contains(3) || used.contains(4), "new nodes hold replicas: " + used);
      }

      started = System.nanoTime();
      JsonNode plan = api.patch(CLUSTER + "?dryRun=true", Map.of("nodeCount", 3)).body();
      assertEquals(List.of("node-3", "node-4"), toList(plan.get("nodesToRemove")));
      FlodClient.Response in = api.patch(CLUSTER, Map.of("nodeCount", 3));
      awaitOperation(in.location(), Duration.ofMinutes(4));
      System.out.printf(
          "MEASURED scale 5 -> 3 (drain, decommission, destroy): %.1f s%n",
          (System.nanoTime() - started) / 1e9);
      try (Admin admin = admin()) {
        for (TopicPartitionInfo p : describe(admin).partitions()) {
          assertTrue(
              p.replicas().stream().allMatch(r -> r.id() < 3), "replicas back on 0..2: " + p);
        }
      }
      assertEquals(3, api.get(CLUSTER).body().at("/status/nodes").size());
      assertFalse(Files.exists(dataDir.resolve("machines").resolve(machineName("node-4"))));
      Set<String> acked = producer.stopAndGetAcked();
      assertTrue(acked.size() > 50, "the producer kept going: " + acked.size());
      Set<String> consumed = consumeAll();
      Set<String> lost = new HashSet<>(acked);
      lost.removeAll(consumed);
      assertEquals(Set.of(), lost, "acknowledged records lost");
    }
    stepsSoFarPassed = true;
  }

  @Test
  @Order(4)
  void aMachineWhoseAgentAndBrokerWereKilledIsStartedAgainAndServes() throws Exception {
    beginStep();
    Path machine = machineDir("node-2");
    long agentPid = pid(machine.resolve("agent.pid"));
    long brokerPid = pid(machine.resolve("data/broker.pid"));
    long killed = System.nanoTime();
    ProcessHandle.of(agentPid).orElseThrow().destroyForcibly();
    ProcessHandle.of(brokerPid).orElseThrow().destroyForcibly();
    Awaitility.await()
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .until(
            () ->
                pid(machineDir("node-2").resolve("agent.pid")) != agentPid
                    && pid(machineDir("node-2").resolve("data/broker.pid")) != brokerPid
                    && "running".equals(nodeView("node-2").get("brokerState").asText())
                    && "Ready".equals(api.get(CLUSTER).body().at("/status/state").asText()));
    System.out.printf(
        "MEASURED machine started again after SIGKILL of agent and broker: broker running in %.1f s%n",
        (System.nanoTime() - killed) / 1e9);
    Set<String> sent = produce(700, 100);
    assertTrue(consumeAll().containsAll(sent));
    stepsSoFarPassed = true;
  }

  @Test
  @Order(5)
  void aFrozenMachineIsReplacedAfterTheGracePeriodAndTheClusterHeals() throws Exception {
    beginStep();
    Path machine = machineDir("node-0");
    long agentPid = pid(machine.resolve("agent.pid"));
    long brokerPid = pid(machine.resolve("data/broker.pid"));
    Set<String> before = produce(800, 100);
    long frozen = System.nanoTime();
    // SIGSTOP, as a hung VM: the processes exist (the provider sees a running machine) but the
    // agent never reports again, so after the grace period the machine is destroyed and made anew.
    for (long pid : List.of(agentPid, brokerPid)) {
      assertEquals(0, new ProcessBuilder("kill", "-STOP", Long.toString(pid)).start().waitFor());
    }
    Awaitility.await()
        .atMost(Duration.ofMinutes(4))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .until(
            () ->
                !ProcessHandle.of(agentPid).map(ProcessHandle::isAlive).orElse(false)
                    && pid(machineDir("node-0").resolve("agent.pid")) != agentPid
                    && "running".equals(nodeView("node-0").get("brokerState").asText())
                    && "Ready".equals(api.get(CLUSTER).body().at("/status/state").asText()));
    System.out.printf(
        "MEASURED frozen machine replaced after the 8 s grace period: broker running in %.1f s%n",
        (System.nanoTime() - frozen) / 1e9);
    assertFalse(ProcessHandle.of(brokerPid).map(ProcessHandle::isAlive).orElse(false));
    try (Admin admin = admin()) {
      Awaitility.await()
          .atMost(Duration.ofMinutes(2))
          .ignoreExceptions()
          .until(() -> describe(admin).partitions().stream().allMatch(p -> p.isr().size() == 3));
    }
    Set<String> after = produce(900, 100);
    Set<String> consumed = consumeAll();
    assertTrue(consumed.containsAll(before) && consumed.containsAll(after));
    stepsSoFarPassed = true;
  }

  @Test
  @Order(6)
  void deleteLeavesNoProcessAndNoDirectory() throws Exception {
    collectPids();
    FlodClient.Response deleted = api.delete(CLUSTER);
    awaitOperation(deleted.location(), Duration.ofMinutes(2));
    try (Stream<Path> left = Files.list(dataDir.resolve("machines"))) {
      assertEquals(List.of(), left.toList());
    }
    for (long pid : pidsSeen) {
      assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "pid " + pid);
    }
  }

  // --- helpers ---

  private void awaitOperation(String location, Duration limit) {
    Operations.awaitSuccess(api, location, limit);
  }

  private String bootstrap() {
    return api.get(CLUSTER).body().at("/status/bootstrapServers").asText();
  }

  private JsonNode nodeView(String node) {
    for (JsonNode n : api.get(CLUSTER).body().at("/status/nodes")) {
      if (n.get("nodeId").asText().equals(node)) {
        return n;
      }
    }
    throw new AssertionError("no " + node);
  }

  private Admin admin() {
    return Admin.create(Map.of("bootstrap.servers", bootstrap()));
  }

  private static TopicDescription describe(Admin admin) throws Exception {
    return admin
        .describeTopics(List.of(TOPIC))
        .allTopicNames()
        .get(10, TimeUnit.SECONDS)
        .get(TOPIC);
  }

  private static long ledBy(TopicDescription d, int broker) {
    return d.partitions().stream()
        .map(TopicPartitionInfo::leader)
        .filter(l -> l != null && l.id() == broker)
        .count();
  }

  private Set<String> produce(int first, int count) throws Exception {
    Set<String> sent = new HashSet<>();
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps(bootstrap()))) {
      List<java.util.concurrent.Future<?>> acks = new ArrayList<>();
      for (int i = first; i < first + count; i++) {
        String value = "record-" + i;
        acks.add(producer.send(new ProducerRecord<>(TOPIC, Integer.toString(i), value)));
        sent.add(value);
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      for (var ack : acks) {
        ack.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
    }
    return sent;
  }

  static Properties producerProps(String bootstrap) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "120000");
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    // A send waits at most this long for metadata, so a topic that never appears fails the test
    // instead of blocking it once per record.
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "15000");
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    return props;
  }

  private Set<String> consumeAll() {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    Set<String> values = new HashSet<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
      List<org.apache.kafka.common.TopicPartition> partitions =
          consumer.partitionsFor(TOPIC).stream()
              .map(p -> new org.apache.kafka.common.TopicPartition(TOPIC, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<org.apache.kafka.common.TopicPartition, Long> end = consumer.endOffsets(partitions);
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

  private Path machineDir(String node) throws IOException {
    return dataDir.resolve("machines").resolve(machineName(node));
  }

  private String machineName(String node) throws IOException {
    try (Stream<Path> dirs = Files.list(dataDir.resolve("machines"))) {
      return dirs.map(d -> d.getFileName().toString())
          .filter(n -> n.endsWith("-" + node))
          .findFirst()
          .orElse("none-" + node);
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

  private static List<String> toList(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  /** Sends keyed records with acks=all until stopped; remembers what was acknowledged. */
  static final class SteadyProducer implements AutoCloseable {
    private final KafkaProducer<String, String> producer;
    private final Set<String> acked = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    SteadyProducer(String bootstrap) {
      producer = new KafkaProducer<>(producerProps(bootstrap));
      thread =
          new Thread(
              () -> {
                int i = 0;
                while (running.get()) {
                  String value = "steady-" + i++;
                  producer.send(
                      new ProducerRecord<>(TOPIC, value, value),
                      (meta, error) -> {
                        if (error == null) {
                          acked.add(value);
                        }
                      });
                  try {
                    Thread.sleep(20); // a steady trickle, not a load test
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              },
              "steady-producer");
      thread.start();
    }

    /** How many records were acknowledged so far. */
    long ackedSoFar() {
      return acked.size();
    }

    Set<String> stopAndGetAcked() throws InterruptedException {
      running.set(false);
      thread.join();
      producer.flush();
      return Set.copyOf(acked);
    }

    @Override
    public void close() {
      running.set(false);
      producer.close(Duration.ofSeconds(10));
    }
  }
}
