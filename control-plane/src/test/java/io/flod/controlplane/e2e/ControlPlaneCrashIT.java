package io.flod.controlplane.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.flod.api.client.FlodClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control plane as {@code bin/flod control-plane} runs it (its own process, its own PostgreSQL
 * and ZooKeeper, local machines) is SIGKILLed in the middle of each kind of operation: create
 * (machines half made), scale out, scale in (replicas being moved off the leaving node) and delete.
 * Each time its PostgreSQL is left running; restarted on the same data and port, it stops the
 * leftover database and finishes the operation with exactly the machines the spec asks for (none
 * orphaned, none made twice), the cluster serves Kafka clients between the steps, and after the
 * delete no agent or broker process is left (a kill between starting an agent and recording its pid
 * must not orphan it).
 */
class ControlPlaneCrashIT {
  private static final String KEY = "flod_crash_it_operator_key";
  @TempDir static Path dataDir;

  @RegisterExtension
  static final MachineLogsOnFailure machineLogs =
      new MachineLogsOnFailure(() -> dataDir.resolve("machines"));

  private record Started(Process process, URI uri) {}

  private static Started start(int port, int run) throws Exception {
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            System.getProperty("java.class.path"),
            "io.flod.controlplane.cli.ControlPlaneMain",
            "--port",
            Integer.toString(port),
            "--data-dir",
            dataDir.toString());
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectError(dataDir.resolve("control-plane-" + run + ".log").toFile());
    builder.environment().put("FLOD_OPERATOR_KEY", KEY);
    Process process = builder.start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<String> listening =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                for (String line; (line = out.readLine()) != null; ) {
                  if (line.startsWith("control plane listening on ")) {
                    return line.substring("control plane listening on ".length()).trim();
                  }
                }
              } catch (IOException e) {
                // the process ended
              }
              return null;
            });
    String uri = listening.get(120, TimeUnit.SECONDS);
    if (uri == null) {
      process.destroyForcibly();
      throw new IllegalStateException(
          "the control plane did not start: "
              + Files.readString(dataDir.resolve("control-plane-" + run + ".log")));
    }
    return new Started(process, URI.create(uri));
  }

  private static List<Path> machines() throws IOException {
    Path root = dataDir.resolve("machines");
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> dirs = Files.list(root)) {
      return dirs.filter(d -> Files.exists(d.resolve("machine.json"))).toList();
    }
  }

  /** SIGKILL, as a crashed host would, then the same command again on the same data and port. */
  private static Started killAndRestart(Started running, FlodClient api, String location, int run)
      throws Exception {
    assertEquals(
        "InProgress",
        api.get(location).body().get("status").asText(),
        "killed in the middle of the operation");
    running.process().destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    return start(running.uri().getPort(), run);
  }

  @Test
  void aKilledControlPlaneFinishesEachOperationAfterARestart() throws Exception {
    List<Started> started = new ArrayList<>();
    Started first = start(0, 1);
    started.add(first);
    try {
      FlodClient operator = new FlodClient(first.uri(), KEY);
      operator.post("/v1/tenants", Map.of("name", "crashy"));
      String location =
          operator
              .post(
                  "/v1/tenants/crashy/clusters",
                  Map.of(
                      "name",
                      "survivor",
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
                      "None"))
              .location();
      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> !machines().isEmpty());
      Started running = killAndRestart(first, operator, location, 2);
      started.add(running);
      FlodClient api = new FlodClient(running.uri(), KEY);
      Operations.awaitSuccess(api, location, Duration.ofMinutes(3));
      JsonNode cluster = api.get("/v1/tenants/crashy/clusters/survivor").body();
      assertEquals("Ready", cluster.at("/status/state").asText());
      assertEquals(3, machines().size(), "no machine orphaned or made twice: " + machines());

      String bootstrap = cluster.at("/status/bootstrapServers").asText();
      api.post(
          "/v1/tenants/crashy/clusters/survivor/topics",
          Map.of("name", "after-crash", "partitions", 2, "replicationFactor", 3));
      try (KafkaProducer<String, String> producer =
          new KafkaProducer<>(ClusterLifecycleIT.producerProps(bootstrap))) {
        Awaitility.await()
            .atMost(Duration.ofSeconds(60))
            .ignoreExceptions()
            .until(
                () ->
                    producer
                            .send(new ProducerRecord<>("after-crash", "k", "v"))
                            .get(10, TimeUnit.SECONDS)
                            .offset()
                        >= 0);
      }

      String survivor = "/v1/tenants/crashy/clusters/survivor";
      String scaleOut = api.patch(survivor, Map.of("nodeCount", 4)).location();
      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> machines().size() == 4);
      running = killAndRestart(running, api, scaleOut, 3);
      started.add(running);
      Operations.awaitSuccess(api, scaleOut, Duration.ofMinutes(3));
      assertEquals(4, machines().size(), "scale out: " + machines());

      String scaleIn = api.patch(survivor, Map.of("nodeCount", 3)).location();
      running = killAndRestart(running, api, scaleIn, 4);
      started.add(running);
      Operations.awaitSuccess(api, scaleIn, Duration.ofMinutes(3));
      assertEquals(3, machines().size(), "scale in: " + machines());
      try (KafkaProducer<String, String> producer =
          new KafkaProducer<>(
              ClusterLifecycleIT.producerProps(
                  api.get(survivor).body().at("/status/bootstrapServers").asText()))) {
        long offset =
            producer
                .send(new ProducerRecord<>("after-crash", "k", "after scale-in"))
                .get(30, TimeUnit.SECONDS)
                .offset();
        assertTrue(offset >= 1, "the key's partition kept the record written before: " + offset);
      }

      String delete = api.delete(survivor).location();
      running = killAndRestart(running, api, delete, 5);
      started.add(running);
      Operations.awaitSuccess(api, delete, Duration.ofMinutes(2));
      assertEquals(List.of(), machines(), "the delete removed every machine");
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> processesUnder(dataDir.resolve("machines")).isEmpty());
    } finally {
      for (Started s : started) {
        if (s.process().isAlive()) {
          s.process().destroy(); // SIGTERM: a clean stop takes its PostgreSQL and ZooKeeper down
          if (!s.process().waitFor(60, TimeUnit.SECONDS)) {
            s.process().destroyForcibly();
          }
        }
      }
      stopLeftovers();
    }
  }

  /**
   * Processes whose command line names {@code dir} (agents and brokers of its machines), read from
   * /proc so that none is missed for want of a pid file.
   */
  private static List<Long> processesUnder(Path dir) {
    String needle = dir.toString();
    return ProcessHandle.allProcesses()
        .filter(
            p -> {
              try {
                byte[] cmdline =
                    Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline"));
                return new String(cmdline, StandardCharsets.UTF_8)
                    .replace('\0', ' ')
                    .contains(needle);
              } catch (IOException | RuntimeException e) {
                return false;
              }
            })
        .map(ProcessHandle::pid)
        .toList();
  }

  /** What a failed run may leave: agents (which stop their brokers) and the killed PostgreSQL. */
  private static void stopLeftovers() throws IOException {
    List<Path> pidFiles = new ArrayList<>();
    machines().forEach(m -> pidFiles.add(m.resolve("agent.pid")));
    pidFiles.add(dataDir.resolve("postgres").resolve("postmaster.pid"));
    processesUnder(dataDir.resolve("machines"))
        .forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    for (Path pid : pidFiles) {
      if (Files.exists(pid)) {
        ProcessHandle.of(Long.parseLong(Files.readAllLines(pid).get(0).trim()))
            .ifPresent(ProcessHandle::destroy);
      }
    }
  }
}
