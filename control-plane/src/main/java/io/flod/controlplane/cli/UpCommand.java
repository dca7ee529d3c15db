package io.flod.controlplane.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flod.api.client.FlodClient;
import io.flod.broker.auth.SasToken;
import io.flod.broker.cli.LoopbackPorts;
import io.flod.controlplane.ControlPlane;
import io.flod.controlplane.machines.MachineProviders;
import io.flod.provisioner.Provisioner;
import io.flod.provisioner.jclouds.JcloudsProvisioner;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/flod up}: the whole service on this machine. Starts the control plane on its embedded
 * defaults (its own PostgreSQL and ZooKeeper) with the local machine provider, makes sure tenant
 * {@code demo}, a 3-node cluster {@code demo} and a topic {@code events} exist, waits until the
 * cluster is Ready, and prints how to connect. Run again, it finds everything it made before (a new
 * API key is issued, since only hashes are kept). Ctrl-C stops the machines and the control plane;
 * the data stays for the next start.
 */
@Command(
    name = "up",
    mixinStandardHelpOptions = true,
    description = "Start Flod locally (control plane and a demo cluster) and print how to connect.")
public final class UpCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Option(names = "--nodes", defaultValue = "3", description = "Cluster size (default: 3).")
  int nodes;

  @Option(names = "--port", defaultValue = "8080", description = "API port; 0 picks a free one.")
  int port;

  @Option(names = "--data-dir", description = "Where everything lives (default: ~/.flod/up).")
  Path dataDir = Path.of(System.getProperty("user.home"), ".flod", "up");

  @Option(names = "--json", description = "Also print the facts as one JSON line for scripts.")
  boolean json;

  @Option(
      names = "--auth",
      defaultValue = "sas",
      description =
          "How clients authenticate to a new demo cluster: sas (Event Hubs connection strings,"
              + " the default) or none (anyone may connect).")
  String auth;

  @Override
  public Integer call() throws Exception {
    long started = System.nanoTime();
    AtomicReference<Provisioner> machines = new AtomicReference<>();
    int chosen = port == 0 || LoopbackPorts.isFree(port) ? port : 0;
    step("starting the control plane (PostgreSQL, ZooKeeper, API) under " + dataDir);
    ControlPlane controlPlane =
        ControlPlane.builder()
            .port(chosen)
            .dataDir(dataDir)
            .operatorKey(System.getenv("FLOD_OPERATOR_KEY"))
            .provisioner(
                url -> {
                  machines.set(MachineProviders.local(dataDir, url));
                  return machines.get();
                })
            .start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  if (machines.get() instanceof JcloudsProvisioner local) {
                    local.suspendAll();
                  }
                  controlPlane.close();
                  stopped.countDown();
                },
                "flod-up-shutdown"));
    FlodClient operator =
        new FlodClient(controlPlane.baseUri(), controlPlane.operatorKey().secret());
    if (!exists(operator, "/v1/tenants/demo")) {
      step("creating tenant demo");
      operator.post("/v1/tenants", Map.of("name", "demo"));
    }
    String key = operator.post("/v1/tenants/demo/keys", Map.of()).body().get("secret").asText();
    FlodClient api = new FlodClient(controlPlane.baseUri(), key);
    String cluster = "/v1/tenants/demo/clusters/demo";
    if (!exists(api, cluster)) {
      String authentication = auth.equalsIgnoreCase("none") ? "None" : "SAS";
      step(
          "creating cluster demo: "
              + nodes
              + " nodes in zones z1, z2, z3, authentication "
              + authentication);
      api.post(
          "/v1/tenants/demo/clusters",
          Map.of(
              "name",
              "demo",
              "nodeCount",
              nodes,
              "nodeSize",
              "small",
              "zones",
              List.of("z1", "z2", "z3"),
              "throughputUnits",
              1,
              "brokerVersion",
              "4.0",
              "authentication",
              authentication));
    }
    JsonNode view = api.get(cluster).body();
    if (!exists(api, cluster + "/topics/events")) {
      step("creating topic events (4 partitions, replication factor " + Math.min(3, nodes) + ")");
      api.post(
          cluster + "/topics",
          Map.of("name", "events", "partitions", 4, "replicationFactor", Math.min(3, nodes)));
    }
    // Made before the wait, so that the brokers have the rule by the time the cluster is Ready.
    boolean sas = "SAS".equals(view.at("/spec/authentication").asText());
    String rules = cluster + "/authorizationRules";
    if (sas && !exists(api, rules + "/demo")) {
      step("creating SAS rule demo (send, listen, manage)");
      api.post(rules, Map.of("name", "demo", "rights", List.of("send", "listen", "manage")));
    }
    String lastState = "";
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    while (true) {
      view = api.get(cluster).body();
      String state = view.at("/status/state").asText();
      long running = 0;
      for (JsonNode node : view.at("/status/nodes")) {
        if ("running".equals(node.path("brokerState").asText())) {
          running++;
        }
      }
      List<String> problems = UpCommandReport.problems(view);
      String line =
          state
              + ", "
              + running
              + "/"
              + nodes
              + " brokers running"
              + (problems.isEmpty() ? "" : "; " + String.join("; ", problems));
      if (!line.equals(lastState)) {
        step("cluster demo: " + line);
        lastState = line;
      }
      if ("Ready".equals(state) && !view.at("/status/bootstrapServers").asText().isEmpty()) {
        break;
      }
      if (System.nanoTime() > deadline) {
        System.err.print(UpCommandReport.notReady(view, dataDir));
        return 1;
      }
      Thread.sleep(500);
    }
    String bootstrap = view.at("/status/bootstrapServers").asText();
    String connectionString = null;
    String kcatAuth = "";
    String curlAuth = "";
    String httpEndpoint = view.at("/status/httpEndpoints/0").asText("");
    if (sas) {
      JsonNode keys = api.post(rules + "/demo/listKeys", null).body();
      connectionString = keys.get("primaryConnectionString").asText();
      curlAuth =
          " -H 'Authorization: "
              + SasToken.sign(
                  endpoint(connectionString) + "events",
                  "demo",
                  keys.get("primaryKey").asText(),
                  Instant.now().plus(Duration.ofDays(1)).getEpochSecond())
              + "'";
      kcatAuth =
          " -X security.protocol=SASL_PLAINTEXT -X sasl.mechanisms=PLAIN"
              + " -X 'sasl.username=$ConnectionString' -X 'sasl.password="
              + connectionString
              + "'";
    }
    System.out.printf(
        "%nFlod is up (%.0f s).%n"
            + "  API:               %s%n"
            + "  API key (tenant demo, shown once): %s%n"
            + "  bootstrap servers: %s%n"
            + "%s%n"
            + "  try:  echo hello | kcat -P -b %s -t events%s && kcat -C -b %s -t events -e%s%n"
            + "%s"
            + "  Ctrl-C stops everything; data stays in %s%n",
        (System.nanoTime() - started) / 1e9,
        controlPlane.baseUri(),
        key,
        bootstrap,
        connectionString == null
            ? "  authentication:    none (anyone may connect)"
            : "  connection string: "
                + connectionString
                + System.lineSeparator()
                + "  (Kafka clients: SASL_PLAINTEXT, PLAIN, user $ConnectionString, password the"
                + " connection string)",
        bootstrap,
        kcatAuth,
        bootstrap,
        kcatAuth,
        httpEndpoint.isEmpty()
            ? ""
            : String.format(
                "  HTTP publishing:   %s (POST <url>/<topic>/messages, as Event Hubs' REST API)%n"
                    + "  try:  curl -i -X POST%s -d 'hello over http' %s/events/messages%n",
                httpEndpoint, curlAuth, httpEndpoint),
        dataDir);
    if (json) {
      Map<String, String> facts = new LinkedHashMap<>();
      facts.put("api", controlPlane.baseUri().toString());
      facts.put("apiKey", key);
      facts.put("bootstrapServers", bootstrap);
      if (!httpEndpoint.isEmpty()) {
        facts.put("httpEndpoint", httpEndpoint);
      }
      facts.put("cluster", "demo");
      if (connectionString != null) {
        facts.put("connectionString", connectionString);
      }
      System.out.println(JSON.writeValueAsString(facts));
    }
    System.out.flush();
    stopped.await();
    return 0;
  }

  /** The {@code Endpoint} of a connection string: the namespace URI tokens are signed for. */
  private static String endpoint(String connectionString) {
    for (String part : connectionString.split(";")) {
      if (part.startsWith("Endpoint=")) {
        String uri = part.substring("Endpoint=".length());
        return uri.endsWith("/") ? uri : uri + "/";
      }
    }
    throw new IllegalStateException("a connection string without Endpoint: " + connectionString);
  }

  private static boolean exists(FlodClient client, String path) {
    try {
      client.get(path);
      return true;
    } catch (FlodClient.ApiError e) {
      if (e.status() == 404) {
        return false;
      }
      throw e;
    }
  }

  private static void step(String what) {
    System.out.println("flod up: " + what);
    System.out.flush();
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new UpCommand()).execute(args));
  }
}
