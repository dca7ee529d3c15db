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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code terraform} binary with the provider from this build's filesystem mirror, against
 * a real control plane (PostgreSQL, ZooKeeper, REST API) whose machines and brokers are the
 * in-memory fakes (hence the name): init, apply, a clean second plan, in-place scale and partition
 * growth, a shrink refused at plan time, drift after a delete outside Terraform, import, destroy.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TerraformOnFakeMachinesIT {
  @TempDir static Path dir;
  private ControlPlane controlPlane;
  private FlodClient api;
  private String key;
  private Path work;

  @BeforeAll
  void start() throws IOException {
    Assumptions.assumeTrue(
        onPath("terraform"), "terraform is not installed: the provider's acceptance test skips");
    InMemoryFakeProvisionerAccess fake = new InMemoryFakeProvisionerAccess();
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
        output "bootstrap" {
          value = flod_cluster.main.bootstrap_servers
        }
        output "audit_partitions" {
          value = data.flod_topic.audit.partitions
        }
        """
            .formatted(controlPlane.baseUri(), nodes, partitions));
  }

  @Test
  void theWholeLifecycleThroughTerraform() throws Exception {
    configure(3, 4);
    assertEquals(0, terraform("init", "-input=false").exit());
    long started = System.nanoTime();
    Run apply = terraform("apply", "-auto-approve", "-input=false");
    System.out.printf(
        "MEASURED terraform apply (cluster on fake machines, 2 topics): %.1f s%n",
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

    Run again = terraform("plan", "-detailed-exitcode", "-input=false");
    assertEquals(0, again.exit(), "a second plan shows no changes:\n" + again.output());

    configure(4, 6);
    Run grow = terraform("plan", "-detailed-exitcode", "-input=false");
    assertEquals(2, grow.exit(), grow.output());
    assertTrue(grow.output().contains("2 to change, 0 to destroy"), grow.output());
    assertFalse(grow.output().contains("must be replaced"), grow.output());
    assertEquals(0, terraform("apply", "-auto-approve", "-input=false").exit());
    assertEquals(4, api.get("/v1/tenants/tf/clusters/c1").body().at("/spec/nodeCount").asInt());
    assertEquals(
        6, api.get("/v1/tenants/tf/clusters/c1/topics/orders").body().get("partitions").asInt());

    configure(4, 2);
    Run shrink = terraform("plan", "-input=false");
    assertEquals(1, shrink.exit());
    assertTrue(shrink.output().contains("Partitions cannot shrink"), shrink.output());
    configure(4, 6);

    api.delete("/v1/tenants/tf/clusters/c1/topics/audit");
    Run drift = terraform("plan", "-detailed-exitcode", "-input=false");
    assertEquals(2, drift.exit(), drift.output());
    assertTrue(drift.output().contains("flod_topic.audit will be created"), drift.output());
    assertEquals(0, terraform("apply", "-auto-approve", "-input=false").exit());

    assertEquals(0, terraform("state", "rm", "flod_topic.orders").exit());
    Run imported = terraform("import", "-input=false", "flod_topic.orders", "tf/c1/orders");
    assertEquals(0, imported.exit(), imported.output());
    Run afterImport = terraform("plan", "-detailed-exitcode", "-input=false");
    // An import cannot know which config keys the configuration names: it brings the map in place.
    assertEquals(2, afterImport.exit(), afterImport.output());
    assertTrue(
        afterImport.output().contains("0 to add, 1 to change, 0 to destroy"), afterImport.output());

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
        """);
    Files.copy(work.resolve("cli.tfrc"), bad.resolve("cli.tfrc"));
    assertEquals(0, terraform(bad, "init", "-input=false").exit());
    Run plan = terraform(bad, "plan", "-input=false");
    assertEquals(1, plan.exit());
    assertTrue(plan.output().contains("Invalid node_count"), plan.output());
    assertTrue(plan.output().contains("node_count = 0"), "points at the line: " + plan.output());

    Files.writeString(
        bad.resolve("main.tf"),
        Files.readString(bad.resolve("main.tf")).replace("node_count = 0", "node_count = 1"));
    Run unreachable = terraform(bad, "apply", "-auto-approve", "-input=false");
    assertEquals(1, unreachable.exit());
    assertTrue(unreachable.output().contains("Flod API unreachable"), unreachable.output());
  }

  private record Run(int exit, String output) {}

  private Run terraform(String... args) throws Exception {
    return terraform(work, args);
  }

  private Run terraform(Path in, String... args) throws Exception {
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
    Process p = builder.start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("terraform " + String.join(" ", args) + " did not finish");
    }
    return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
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
