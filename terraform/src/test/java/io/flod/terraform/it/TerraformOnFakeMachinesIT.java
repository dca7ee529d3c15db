package io.flod.terraform.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.flod.api.client.FlodClient;
import io.flod.controlplane.ControlPlane;
import io.flod.controlplane.cluster.InMemoryFakeProvisionerAccess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code terraform} binary with the provider from this build's filesystem mirror, against
 * a real control plane (PostgreSQL, ZooKeeper, REST API) whose machines and brokers are the
 * in-memory fakes (hence the name): init, apply (cluster, topics, consumer group, SAS rules), a
 * clean second plan, in-place scale, partition growth, rights and metadata changes, a shrink
 * refused at plan time, drift after deletes outside Terraform, import of every resource type,
 * destroy.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TerraformOnFakeMachinesIT {
  @TempDir static Path dir;
  private ControlPlane controlPlane;
  private InMemoryFakeProvisionerAccess fake;
  private FlodClient api;
  private String key;
  private Path work;

  @BeforeAll
  void start() throws IOException {
    Assumptions.assumeTrue(
        onPath("terraform"), "terraform is not installed: the provider's acceptance test skips");
    fake = new InMemoryFakeProvisionerAccess();
    controlPlane =
        ControlPlane.builder()
            .dataDir(dir.resolve("cp"))
            .provisioner(fake.provisioner())
            .fleet(zk -> fake.fleet())
            .reconcileIntervalMs(100)
            .start();
    FlodClient operator =
        new FlodClient(controlPlane.baseUri(), controlPlane.operatorKey().secret());
    operator.post("/v1/tenants", Map.of("name", "tf"));
    key = operator.post("/v1/tenants/tf/keys", Map.of()).body().get("secret").asText();
    api = new FlodClient(controlPlane.baseUri(), key);
    work = Files.createDirectories(dir.resolve("work"));
    Path mirror = Path.of("target/terraform-mirror").toAbsolutePath();
    Files.writeString(
        work.resolve("cli.tfrc"),
        "provider_installation {\n"
            + "  filesystem_mirror {\n"
            + "    path    = \""
            + mirror
            + "\"\n"
            + "    include = [\"registry.flod.local/*/*\"]\n"
            + "  }\n"
            + "  direct {\n"
            + "    exclude = [\"registry.flod.local/*/*\"]\n"
            + "  }\n"
            + "}\n");
  }

  @AfterAll
  void stop() {
    if (controlPlane != null) {
      controlPlane.close();
    }
  }

  private void configure(int nodes, int partitions) throws IOException {
    configure(nodes, partitions, "[\"send\"]", "analytics");
  }

  private void configure(int nodes, int partitions, String senderRights, String groupMetadata)
      throws IOException {
    Files.writeString(
        work.resolve("main.tf"),
        """
        terraform {
          required_providers {
            flod = {
              source  = "registry.flod.local/flod/flod"
              version = "0.1.0"
            }
          }
        }
        provider "flod" {
          endpoint = "%s"
          tenant   = "tf"
        }
        resource "flod_cluster" "main" {
          name       = "c1"
          node_count = %d
          zones      = ["z1", "z2", "z3"]
          timeouts {
            create = "5m"
          }
        }
        resource "flod_topic" "orders" {
          cluster_id         = flod_cluster.main.id
          name               = "orders"
          partitions         = %d
          replication_factor = 3
          config = {
            "min.insync.replicas" = "2"
          }
        }
        resource "flod_topic" "audit" {
          cluster_id = flod_cluster.main.id
          name       = "audit"
        }
        data "flod_topic" "audit" {
          cluster_id = flod_cluster.main.id
          name       = flod_topic.audit.name
        }
        resource "flod_consumer_group" "reports" {
          cluster_id    = flod_cluster.main.id
          topic         = flod_topic.orders.name
          name          = "reports"
          user_metadata = "%s"
        }
        resource "flod_authorization_rule" "sender" {
          cluster_id = flod_cluster.main.id
          name       = "sender"
          rights     = %s
        }
        resource "flod_authorization_rule" "orders_reader" {
          cluster_id = flod_cluster.main.id
          topic      = flod_topic.orders.name
          name       = "reader"
          rights     = ["listen"]
        }
        output "reader_connection_string" {
          value     = flod_authorization_rule.orders_reader.primary_connection_string
          sensitive = true
        }
        output "bootstrap" {
          value = flod_cluster.main.bootstrap_servers
        }
        output "audit_partitions" {
          value = data.flod_topic.audit.partitions
        }
        """
            .formatted(controlPlane.baseUri(), nodes, partitions, groupMetadata, senderRights));
  }

  @Test
  void theWholeLifecycleThroughTerraform() throws Exception {
    configure(3, 4);
    assertEquals(0, terraform("init", "-input=false").exit());
    long started = System.nanoTime();
    Run apply = terraform("apply", "-auto-approve", "-input=false");
    System.out.printf(
        "MEASURED terraform apply (cluster on fake machines, 2 topics, a group, 2 rules): %.1f s%n",
        (System.nanoTime() - started) / 1e9);
    assertEquals(0, apply.exit(), apply.output());
    JsonNode cluster = api.get("/v1/tenants/tf/clusters/c1").body();
    assertEquals("Ready", cluster.at("/status/state").asText());
    assertEquals(3, cluster.at("/spec/nodeCount").asInt());
    assertEquals(
        4, api.get("/v1/tenants/tf/clusters/c1/topics/orders").body().get("partitions").asInt());
    assertEquals(
        2,
        api.get("/v1/tenants/tf/clusters/c1/topics/orders")
            .body()
            .get("minInsyncReplicas")
            .asInt());
    assertTrue(apply.output().contains("audit_partitions = 4"), apply.output());
    assertEquals(
        "analytics",
        api.get("/v1/tenants/tf/clusters/c1/topics/orders/consumerGroups/reports")
            .body()
            .get("userMetadata")
            .asText());
    JsonNode readerKeys =
        api.post(
                "/v1/tenants/tf/clusters/c1/topics/orders/authorizationRules/reader/listKeys", null)
            .body();
    Run connection = terraform("output", "-raw", "reader_connection_string");
    assertEquals(0, connection.exit(), connection.output());
    assertEquals(readerKeys.get("primaryConnectionString").asText(), connection.output().trim());
    assertTrue(connection.output().contains(";EntityPath=orders"), connection.output());
    assertFalse(
        apply.output().contains(readerKeys.get("primaryKey").asText()),
        "keys are sensitive and never printed: " + apply.output());
    String senderKey =
        api.post("/v1/tenants/tf/clusters/c1/authorizationRules/sender/listKeys", null)
            .body()
            .get("primaryKey")
            .asText();

    Run again = terraform("plan", "-detailed-exitcode", "-input=false");
    assertEquals(0, again.exit(), "a second plan shows no changes:\n" + again.output());

    configure(4, 6, "[\"send\", \"listen\"]", "analytics and billing");
    Run grow = terraform("plan", "-detailed-exitcode", "-input=false");
    assertEquals(2, grow.exit(), grow.output());
    assertTrue(grow.output().contains("0 to add, 4 to change, 0 to destroy"), grow.output());
    assertFalse(grow.output().contains("must be replaced"), grow.output());
    assertEquals(0, terraform("apply", "-auto-approve", "-input=false").exit());
    assertEquals(4, api.get("/v1/tenants/tf/clusters/c1").body().at("/spec/nodeCount").asInt());
    assertEquals(
        6, api.get("/v1/tenants/tf/clusters/c1/topics/orders").body().get("partitions").asInt());
    JsonNode sender = api.get("/v1/tenants/tf/clusters/c1/authorizationRules/sender").body();
    assertEquals("[\"listen\",\"send\"]", sender.get("rights").toString());
    assertEquals(
        senderKey,
        api.post("/v1/tenants/tf/clusters/c1/authorizationRules/sender/listKeys", null)
            .body()
            .get("primaryKey")
            .asText(),
        "new rights, same keys: clients keep their connection strings");
    assertEquals(
        "analytics and billing",
        api.get("/v1/tenants/tf/clusters/c1/topics/orders/consumerGroups/reports")
            .body()
            .get("userMetadata")
            .asText());

    configure(4, 2);
    Run shrink = terraform("plan", "-input=false");
    assertEquals(1, shrink.exit());
    assertTrue(shrink.output().contains("Partitions cannot shrink"), shrink.output());
    configure(4, 6, "[\"send\", \"listen\"]", "analytics and billing");

    api.delete("/v1/tenants/tf/clusters/c1/topics/audit");
    api.delete("/v1/tenants/tf/clusters/c1/topics/orders/consumerGroups/reports");
    Run drift = terraform("plan", "-detailed-exitcode", "-input=false");
    assertEquals(2, drift.exit(), drift.output());
    assertTrue(drift.output().contains("flod_topic.audit will be created"), drift.output());
    assertTrue(
        drift.output().contains("flod_consumer_group.reports will be created"), drift.output());
    assertTrue(drift.output().contains("2 to add, 0 to change, 0 to destroy"), drift.output());
    assertEquals(0, terraform("apply", "-auto-approve", "-input=false").exit());

    for (String address :
        List.of(
            "flod_topic.orders",
            "flod_consumer_group.reports",
            "flod_authorization_rule.sender",
            "flod_authorization_rule.orders_reader")) {
      assertEquals(0, terraform("state", "rm", address).exit());
    }
    for (String[] imported :
        new String[][] {
          {"flod_topic.orders", "tf/c1/orders"},
          {"flod_consumer_group.reports", "tf/c1/orders/reports"},
          {"flod_authorization_rule.sender", "tf/c1/sender"},
          {"flod_authorization_rule.orders_reader", "tf/c1/orders/reader"}
        }) {
      Run run = terraform("import", "-input=false", imported[0], imported[1]);
      assertEquals(0, run.exit(), run.output());
    }
    Run afterImport = terraform("plan", "-detailed-exitcode", "-input=false");
    assertEquals(0, afterImport.exit(), "imports plan clean:\n" + afterImport.output());

    // The cluster too; its timeouts block lives only in Terraform, so the one change an import
    // leaves is adding that block to the state (no call to the API).
    assertEquals(0, terraform("state", "rm", "flod_cluster.main").exit());
    Run clusterImport = terraform("import", "-input=false", "flod_cluster.main", "tf/c1");
    assertEquals(0, clusterImport.exit(), clusterImport.output());
    Run afterClusterImport = terraform("plan", "-input=false");
    assertEquals(0, afterClusterImport.exit(), afterClusterImport.output());
    assertTrue(
        afterClusterImport.output().contains("0 to add, 1 to change, 0 to destroy"),
        afterClusterImport.output());
    assertTrue(afterClusterImport.output().contains("+ timeouts {"), afterClusterImport.output());
    assertFalse(
        afterClusterImport.output().contains("node_count"),
        "no API attribute changes: " + afterClusterImport.output());
    assertEquals(0, terraform("apply", "-auto-approve", "-input=false").exit());
    Run settled = terraform("plan", "-detailed-exitcode", "-input=false");
    assertEquals(0, settled.exit(), settled.output());

    Run destroy = terraform("destroy", "-auto-approve", "-input=false");
    assertEquals(0, destroy.exit(), destroy.output());
    assertEquals(0, api.get("/v1/tenants/tf/clusters").body().get("items").size());
  }

  @Test
  void badValuesAndAnUnreachableApiAreDiagnosticsOnTheAttribute() throws Exception {
    Path bad = Files.createDirectories(dir.resolve("bad"));
    Files.writeString(
        bad.resolve("main.tf"),
        """
        terraform {
          required_providers {
            flod = {
              source  = "registry.flod.local/flod/flod"
              version = "0.1.0"
            }
          }
        }
        provider "flod" {
          endpoint = "http://127.0.0.1:9"
          tenant   = "tf"
        }
        resource "flod_cluster" "bad" {
          name       = "bad"
          node_count = 0
        }
        resource "flod_authorization_rule" "admin" {
          cluster_id = "tf/bad"
          name       = "admin"
          rights     = ["manage"]
        }
        """);
    Files.copy(work.resolve("cli.tfrc"), bad.resolve("cli.tfrc"));
    assertEquals(0, terraform(bad, "init", "-input=false").exit());
    Run plan = terraform(bad, "plan", "-input=false");
    assertEquals(1, plan.exit());
    assertTrue(plan.output().contains("Invalid node_count"), plan.output());
    assertTrue(plan.output().contains("node_count = 0"), "points at the line: " + plan.output());
    assertTrue(
        plan.output().contains("A rule with manage must also have send and listen"), plan.output());
    assertTrue(plan.output().contains("rights     = [\"manage\"]"), plan.output());

    Files.writeString(
        bad.resolve("main.tf"),
        Files.readString(bad.resolve("main.tf"))
            .replace("node_count = 0", "node_count = 1")
            .replace("[\"manage\"]", "[\"send\"]"));
    Run unreachable = terraform(bad, "apply", "-auto-approve", "-input=false");
    assertEquals(1, unreachable.exit());
    assertTrue(unreachable.output().contains("Flod API unreachable"), unreachable.output());
  }

  @Test
  void aTimedOutOrInterruptedApplyIsResumedByTheNextOneWithoutADuplicate() throws Exception {
    Path resume = Files.createDirectories(dir.resolve("resume"));
    Files.copy(work.resolve("cli.tfrc"), resume.resolve("cli.tfrc"));
    String config =
        """
        terraform {
          required_providers {
            flod = {
              source  = "registry.flod.local/flod/flod"
              version = "0.1.0"
            }
          }
        }
        provider "flod" {
          endpoint = "%s"
          tenant   = "tf"
        }
        resource "flod_cluster" "slow" {
          name       = "slow"
          node_count = 1
          timeouts {
            create = "%s"
          }
        }
        """;
    Files.writeString(resume.resolve("main.tf"), config.formatted(controlPlane.baseUri(), "3s"));
    assertEquals(0, terraform(resume, "init", "-input=false").exit());
    fake.closeGate(); // the machines take as long as the test wants
    try {
      Run timedOut = terraform(resume, "apply", "-auto-approve", "-input=false");
      assertEquals(1, timedOut.exit(), timedOut.output());
      assertTrue(timedOut.output().contains("Creating cluster slow timed out"), timedOut.output());
      assertEquals("", terraform(resume, "state", "list").output().trim(), "not in state");
      assertEquals(
          "Provisioning",
          api.get("/v1/tenants/tf/clusters/slow").body().at("/status/state").asText(),
          "the cluster goes on being made");

      Files.writeString(resume.resolve("main.tf"), config.formatted(controlPlane.baseUri(), "5m"));
      Process apply = start(resume, "apply", "-auto-approve", "-input=false");
      StringBuffer output = new StringBuffer();
      Thread reader = new Thread(() -> copy(apply, output), "terraform-output");
      reader.start();
      Awaitility.await()
          .atMost(Duration.ofMinutes(2))
          .until(() -> output.toString().contains("flod_cluster.slow: Creating..."));
      long interrupted = System.nanoTime();
      assertEquals(0, new ProcessBuilder("kill", "-INT", "" + apply.pid()).start().waitFor());
      assertTrue(apply.waitFor(2, TimeUnit.MINUTES), "terraform stops: " + output);
      reader.join();
      System.out.printf(
          "MEASURED Ctrl-C to terraform exit while waiting on a cluster: %.1f s%n",
          (System.nanoTime() - interrupted) / 1e9);
      assertEquals(1, apply.exitValue(), output.toString());
      assertTrue(
          output.toString().contains("Creating cluster slow interrupted"),
          "StopProvider reached the waiting create: " + output);
      assertEquals("", terraform(resume, "state", "list").output().trim(), "still not in state");
    } finally {
      fake.openGate();
    }

    Run resumed = terraform(resume, "apply", "-auto-approve", "-input=false");
    assertEquals(0, resumed.exit(), resumed.output());
    assertEquals("flod_cluster.slow", terraform(resume, "state", "list").output().trim());
    long named =
        java.util.stream.StreamSupport.stream(
                api.get("/v1/tenants/tf/clusters").body().get("items").spliterator(), false)
            .filter(c -> c.get("name").asText().equals("slow"))
            .count();
    assertEquals(1, named, "one cluster, adopted, not a second one");
    assertEquals(
        "Ready", api.get("/v1/tenants/tf/clusters/slow").body().at("/status/state").asText());
    assertEquals(0, terraform(resume, "plan", "-detailed-exitcode", "-input=false").exit());
    assertEquals(0, terraform(resume, "destroy", "-auto-approve", "-input=false").exit());
  }

  private record Run(int exit, String output) {}

  private static void copy(Process p, StringBuffer into) {
    try (var in = p.getInputStream()) {
      byte[] buffer = new byte[8192];
      for (int n; (n = in.read(buffer)) > 0; ) {
        into.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      into.append("\n[output lost: ").append(e).append("]");
    }
  }

  private Run terraform(String... args) throws Exception {
    return terraform(work, args);
  }

  private Run terraform(Path in, String... args) throws Exception {
    Process p = start(in, args);
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("terraform " + String.join(" ", args) + " did not finish");
    }
    return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  private Process start(Path in, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add("terraform");
    command.add("-chdir=" + in);
    command.addAll(List.of(args));
    command.add("-no-color");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("TF_CLI_CONFIG_FILE", in.resolve("cli.tfrc").toString());
    builder.environment().put("TF_IN_AUTOMATION", "1");
    builder.environment().put("CHECKPOINT_DISABLE", "1");
    builder.environment().put("FLOD_API_KEY", key);
    return builder.start();
  }

  private static boolean onPath(String program) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(d, program))) {
        return true;
      }
    }
    return false;
  }
}
