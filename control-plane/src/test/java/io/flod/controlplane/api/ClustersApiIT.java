package io.flod.controlplane.api;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.flod.controlplane.ControlPlane;
import io.flod.controlplane.api.ApiClient.Reply;
import io.flod.controlplane.cluster.InMemoryFakeProvisionerAccess;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clusters and operations over real HTTP against the real database, with the reconciler driving an
 * in-memory fake provider (no cloud VMs here): the code path up to the provider is the real one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClustersApiIT {
  @TempDir static Path dataDir;
  @TempDir static Path restartDir;
  private final ApiClient api = new ApiClient();
  private final InMemoryFakeProvisionerAccess fake = new InMemoryFakeProvisionerAccess();
  private ControlPlane controlPlane;
  private String operator;

  @BeforeAll
  void start() throws Exception {
    controlPlane =
        ControlPlane.builder()
            .dataDir(dataDir)
            .database(new ControlPlane.DatabaseSettings(null, null, null))
            .operatorKey(null)
            .provisioner(fake.provisioner())
            .fleet(zk -> fake.fleet())
            .reconcileIntervalMs(100)
            .start();
    operator = controlPlane.operatorKey().secret();
    call("POST", "/v1/tenants", operator, "{\"name\":\"acme\"}");
    call("POST", "/v1/tenants", operator, "{\"name\":\"other\"}");
  }

  @AfterAll
  void stop() {
    controlPlane.close();
  }

  private Reply call(String method, String path, String key, String body, String... headers)
      throws Exception {
    return api.call(controlPlane, method, path, key, body, headers);
  }

  private Reply call(
      ControlPlane cp, String method, String path, String key, String body, String... headers)
      throws Exception {
    return api.call(cp, method, path, key, body, headers);
  }

  private static String spec(String name, int nodes) {
    return "{\"name\":\""
        + name
        + "\",\"nodeCount\":"
        + nodes
        + ",\"nodeSize\":\"standard\",\"zones\":[\"z1\",\"z2\",\"z3\"],\"throughputUnits\":2,\"brokerVersion\":\"4.4\"}";
  }

  /** Follows an accepted change to its end and returns the finished operation. */
  private JsonNode finish(ControlPlane cp, Reply accepted) throws Exception {
    assertEquals(202, accepted.status(), String.valueOf(accepted.json()));
    String location = URI.create(accepted.header("Location")).getPath();
    assertTrue(location.startsWith("/v1/operations/"), location);
    JsonNode[] last = new JsonNode[1];
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              last[0] = call(cp, "GET", location, operator, null).json();
              return !last[0].get("status").asText().equals("InProgress");
            });
    return last[0];
  }

  private List<String> nodes(JsonNode cluster) {
    List<String> ids = new ArrayList<>();
    cluster
        .get("status")
        .get("nodes")
        .forEach(n -> ids.add(n.get("nodeId").asText() + "@" + n.get("zone").asText()));
    return ids;
  }

  @Test
  void aClusterIsCreatedScaledOutScaledInAndDeletedWithNoMachineMadeTwice() throws Exception {
    int before = fake.created();
    int machinesBefore = fake.machines();
    JsonNode created =
        finish(
            controlPlane, call("POST", "/v1/tenants/acme/clusters", operator, spec("orders", 3)));
    assertEquals("Succeeded", created.get("status").asText());
    assertEquals(100, created.get("percentComplete").asInt());
    Reply cluster = call("GET", "/v1/tenants/acme/clusters/orders", operator, null);
    assertEquals("Ready", cluster.json().get("status").get("state").asText());
    assertEquals(List.of("node-0@z1", "node-1@z2", "node-2@z3"), nodes(cluster.json()));
    assertEquals(
        5,
        cluster.json().get("spec").get("updateDomains").asInt(),
        "five update domains unless set");
    assertEquals(
        "SAS",
        cluster.json().get("spec").get("authentication").asText(),
        "clients need SAS credentials unless the spec says None");

    String etag = cluster.header("ETag");
    JsonNode out =
        finish(
            controlPlane,
            call(
                "PATCH",
                "/v1/tenants/acme/clusters/orders",
                operator,
                "{\"nodeCount\":5}",
                "If-Match",
                etag));
    assertEquals("Succeeded", out.get("status").asText());
    assertEquals(
        5, nodes(call("GET", "/v1/tenants/acme/clusters/orders", operator, null).json()).size());
    assertEquals(
        412,
        call(
                "PATCH",
                "/v1/tenants/acme/clusters/orders",
                operator,
                "{\"nodeCount\":1}",
                "If-Match",
                etag)
            .status());

    JsonNode in =
        finish(
            controlPlane,
            call("PATCH", "/v1/tenants/acme/clusters/orders", operator, "{\"nodeCount\":2}"));
    assertEquals("Succeeded", in.get("status").asText());
    assertEquals(
        List.of("node-0@z1", "node-1@z2"),
        nodes(call("GET", "/v1/tenants/acme/clusters/orders", operator, null).json()));
    assertEquals(5, fake.created() - before, "3 + 2 machines, none made twice");

    assertEquals(
        409,
        call("DELETE", "/v1/tenants/acme", operator, null).status(),
        "a tenant with clusters stays");
    JsonNode deleted =
        finish(controlPlane, call("DELETE", "/v1/tenants/acme/clusters/orders", operator, null));
    assertEquals("Succeeded", deleted.get("status").asText());
    assertEquals(404, call("GET", "/v1/tenants/acme/clusters/orders", operator, null).status());
    assertEquals(machinesBefore, fake.machines(), "every machine of the cluster is gone");
  }

  @Test
  void metricsCountReconcilePassesAndOperationsByStatus() throws Exception {
    finish(controlPlane, call("POST", "/v1/tenants/acme/clusters", operator, spec("measured", 1)));
    String metrics = call("GET", "/metrics", null, null).body();
    assertTrue(
        metrics
            .lines()
            .anyMatch(l -> l.startsWith("flod_reconcile_passes_seconds_count{result=\"ok\"}")),
        metrics);
    assertTrue(
        metrics
            .lines()
            .anyMatch(
                l -> l.startsWith("flod_operations{status=\"Succeeded\"}") && !l.endsWith(" 0.0")),
        "at least one succeeded operation is counted");
  }

  @Test
  void aDryRunScaleReturnsThePlanAndChangesNothing() throws Exception {
    finish(controlPlane, call("POST", "/v1/tenants/acme/clusters", operator, spec("planned", 2)));
    Reply grow =
        call(
            "PATCH",
            "/v1/tenants/acme/clusters/planned?dryRun=true",
            operator,
            "{\"nodeCount\":4}");
    assertEquals(200, grow.status(), String.valueOf(grow.json()));
    assertEquals(2, grow.json().get("currentNodes").asInt());
    assertEquals(4, grow.json().get("targetNodes").asInt());
    assertEquals("[\"node-2\",\"node-3\"]", grow.json().get("nodesToAdd").toString());
    assertEquals(0, grow.json().get("nodesToRemove").size());
    Reply shrink =
        call(
            "PATCH",
            "/v1/tenants/acme/clusters/planned?dryRun=true",
            operator,
            "{\"nodeCount\":1}");
    assertEquals("[\"node-1\"]", shrink.json().get("nodesToRemove").toString());
    JsonNode after = call("GET", "/v1/tenants/acme/clusters/planned", operator, null).json();
    assertEquals(2, after.get("spec").get("nodeCount").asInt(), "a dry run changes nothing");
    assertEquals(2, nodes(after).size());
  }

  @Test
  void anUnfinishedCreateCanBeCanceledAndTheClusterGoesAway() throws Exception {
    fake.pause(true);
    Reply accepted;
    try {
      accepted = call("POST", "/v1/tenants/acme/clusters", operator, spec("abandoned", 3));
      assertEquals(202, accepted.status());
      String operation = URI.create(accepted.header("Location")).getPath();
      Reply canceled = call("POST", operation + "/cancel", operator, null);
      assertEquals(200, canceled.status(), String.valueOf(canceled.json()));
      assertEquals("Canceled", canceled.json().get("status").asText());
      assertEquals("CanceledByUser", canceled.json().get("error").get("code").asText());
      assertEquals(
          409, call("POST", operation + "/cancel", operator, null).status(), "it already ended");
    } finally {
      fake.pause(false);
    }
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                call("GET", "/v1/tenants/acme/clusters/abandoned", operator, null).status() == 404);

    finish(controlPlane, call("POST", "/v1/tenants/acme/clusters", operator, spec("doomed", 1)));
    Reply deleting = call("DELETE", "/v1/tenants/acme/clusters/doomed", operator, null);
    // Whether the delete is still running or already done, it cannot be canceled.
    assertEquals(
        409,
        call("POST", URI.create(deleting.header("Location")).getPath() + "/cancel", operator, null)
            .status());
  }

  @Test
  void anIdempotencyKeyReplaysTheFirstOperationAndRefusesADifferentBody() throws Exception {
    Reply first =
        call(
            "POST",
            "/v1/tenants/acme/clusters",
            operator,
            spec("billing", 1),
            "Idempotency-Key",
            "k-123");
    Reply again =
        call(
            "POST",
            "/v1/tenants/acme/clusters",
            operator,
            spec("billing", 1),
            "Idempotency-Key",
            "k-123");
    assertEquals(202, again.status());
    assertEquals(
        first.header("Location"), again.header("Location"), "same key, same body: same operation");
    Reply different =
        call(
            "POST",
            "/v1/tenants/acme/clusters",
            operator,
            spec("billing", 2),
            "Idempotency-Key",
            "k-123");
    assertEquals(422, different.status());
    assertEquals(
        409,
        call("POST", "/v1/tenants/acme/clusters", operator, spec("billing", 1)).status(),
        "no key: a conflict");
    finish(controlPlane, first);
  }

  @Test
  void concurrentCreatesOfOneNameMakeOneResourceAndTheRestConflictNeverAServerError()
      throws Exception {
    int racers = 8;
    List<Reply> tenants =
        ApiClient.atOnce(
            racers, () -> call("POST", "/v1/tenants", operator, "{\"name\":\"racing\"}"));
    assertEquals(
        java.util.Map.of(201, 1, 409, racers - 1), ApiClient.statuses(tenants), bodies(tenants));

    String clusters = "/v1/tenants/racing/clusters";
    List<Reply> sameName =
        ApiClient.atOnce(racers, () -> call("POST", clusters, operator, spec("racer", 1)));
    assertEquals(
        java.util.Map.of(202, 1, 409, racers - 1), ApiClient.statuses(sameName), bodies(sameName));

    List<Reply> sameKey =
        ApiClient.atOnce(
            racers,
            () ->
                call(
                    "POST", clusters, operator, spec("keyed", 1), "Idempotency-Key", "race-key-1"));
    assertEquals(java.util.Map.of(202, racers), ApiClient.statuses(sameKey), bodies(sameKey));
    assertEquals(
        1,
        sameKey.stream().map(r -> r.header("Location")).distinct().count(),
        "one key, one operation: " + bodies(sameKey));

    assertEquals(2, call("GET", clusters, operator, null).json().get("items").size());
    // Let both clusters finish, so that no other test counts their machines.
    assertEquals(
        "Succeeded",
        finish(controlPlane, sameName.stream().filter(r -> r.status() == 202).findFirst().get())
            .get("status")
            .asText());
    assertEquals("Succeeded", finish(controlPlane, sameKey.get(0)).get("status").asText());
  }

  private static String bodies(List<Reply> replies) {
    return replies.stream().map(r -> r.status() + " " + r.body()).toList().toString();
  }

  @Test
  void anotherTenantSeesNeitherTheClusterNorItsOperation() throws Exception {
    Reply accepted = call("POST", "/v1/tenants/acme/clusters", operator, spec("private", 1));
    finish(controlPlane, accepted);
    String otherKey =
        call("POST", "/v1/tenants/other/keys", operator, null).json().get("secret").asText();
    assertEquals(404, call("GET", "/v1/tenants/acme/clusters/private", otherKey, null).status());
    assertEquals(
        404,
        call("GET", URI.create(accepted.header("Location")).getPath(), otherKey, null).status());
    assertEquals(
        404,
        call("PATCH", "/v1/tenants/acme/clusters/private", otherKey, "{\"nodeCount\":2}").status());
    assertEquals(404, call("DELETE", "/v1/tenants/acme/clusters/private", otherKey, null).status());
    assertEquals(
        0, call("GET", "/v1/tenants/other/clusters", otherKey, null).json().get("items").size());
  }

  @Test
  void aSasClusterGetsItsRulesAndKeysPublishedToItsBrokersAndRegenerationFollows()
      throws Exception {
    String spec = spec("secured", 1).replace("}", ",\"authentication\":\"SAS\"}");
    finish(controlPlane, call("POST", "/v1/tenants/acme/clusters", operator, spec));
    JsonNode cluster = call("GET", "/v1/tenants/acme/clusters/secured", operator, null).json();
    assertEquals("SAS", cluster.get("spec").get("authentication").asText());
    String rules = "/v1/tenants/acme/clusters/secured/authorizationRules";
    assertEquals(
        201, call("POST", rules, operator, "{\"name\":\"app\",\"rights\":[\"send\"]}").status());
    String primary =
        call("POST", rules + "/app/listKeys", operator, null).json().get("primaryKey").asText();
    await().atMost(Duration.ofSeconds(20)).until(() -> publishedKey("app").equals(primary));
    assertTrue(
        fake.publishedRules().stream().allMatch(r -> r.brokerSecret() != null),
        "brokers get a secret to replicate with");

    String regenerated =
        call("POST", rules + "/app/regenerateKeys", operator, "{\"keyType\":\"PrimaryKey\"}")
            .json()
            .get("primaryKey")
            .asText();
    await().atMost(Duration.ofSeconds(20)).until(() -> publishedKey("app").equals(regenerated));

    String publishers = "/v1/tenants/acme/clusters/secured/topics/telemetry/publishers";
    call("POST", "/v1/tenants/acme/clusters/secured/topics", operator, "{\"name\":\"telemetry\"}");
    assertEquals(200, call("POST", publishers + "/device-7/revoke", operator, null).status());
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                fake.publishedRules().stream()
                    .anyMatch(r -> r.revokedPublishers().contains("telemetry/device-7")));
    assertEquals(200, call("POST", publishers + "/device-7/unrevoke", operator, null).status());
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                fake.publishedRules().stream()
                    .noneMatch(r -> r.revokedPublishers().contains("telemetry/device-7")));

    await().atMost(Duration.ofSeconds(20)).until(() -> fake.publishedThroughputUnits().contains(2));
    finish(
        controlPlane,
        call(
            "PATCH",
            "/v1/tenants/acme/clusters/secured",
            operator,
            "{\"throughputUnits\":7}",
            "If-Match",
            call("GET", "/v1/tenants/acme/clusters/secured", operator, null).header("ETag")));
    await().atMost(Duration.ofSeconds(20)).until(() -> fake.publishedThroughputUnits().contains(7));
  }

  private String publishedKey(String rule) {
    return fake.publishedRules().stream()
        .flatMap(r -> r.rules().values().stream())
        .filter(r -> r.name().equals(rule))
        .map(r -> r.primaryKey())
        .findFirst()
        .orElse("");
  }

  @Test
  void invalidSpecsAreRefusedFieldByField() throws Exception {
    Reply bad =
        call(
            "POST",
            "/v1/tenants/acme/clusters",
            operator,
            "{\"name\":\"x\",\"nodeCount\":0,\"nodeSize\":\"huge\",\"zones\":[],\"updateDomains\":21,\"throughputUnits\":1,\"brokerVersion\":\"4.4\"}");
    assertEquals(400, bad.status());
    List<String> fields = new ArrayList<>();
    bad.json().get("errors").forEach(e -> fields.add(e.get("field").asText()));
    assertEquals(List.of("nodeCount", "nodeSize", "updateDomains", "zones"), fields);
  }

  @Test
  void aProviderFailureFailsTheOperationWithItsReasonAndTheClusterHealsWhenTheProviderRecovers()
      throws Exception {
    fake.failNext("quota exceeded for standard machines in z1");
    JsonNode failed =
        finish(
            controlPlane, call("POST", "/v1/tenants/acme/clusters", operator, spec("unlucky", 2)));
    assertEquals("Failed", failed.get("status").asText());
    assertEquals("ProvisioningFailed", failed.get("error").get("code").asText());
    assertTrue(failed.get("error").get("message").asText().contains("quota exceeded"));
    // The reconciler is level-triggered: once the provider works again, the cluster converges
    // anyway.
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                call("GET", "/v1/tenants/acme/clusters/unlucky", operator, null)
                    .json()
                    .get("status")
                    .get("state")
                    .asText()
                    .equals("Ready"));
  }

  @Test
  void aRestartFinishesAnOperationLeftHalfDoneWithoutDuplicateMachines() throws Exception {
    InMemoryFakeProvisionerAccess cloud = new InMemoryFakeProvisionerAccess();
    cloud.pause(
        true); // the provider accepts requests but creates nothing: the operation stays open
    ControlPlane first =
        ControlPlane.builder()
            .dataDir(restartDir)
            .database(new ControlPlane.DatabaseSettings(null, null, null))
            .operatorKey(null)
            .provisioner(cloud.provisioner())
            .fleet(zk -> cloud.fleet())
            .reconcileIntervalMs(100)
            .start();
    String key = first.operatorKey().secret();
    String saved = operator;
    operator = key;
    try {
      call(first, "POST", "/v1/tenants", key, "{\"name\":\"crashy\"}");
      Reply accepted = call(first, "POST", "/v1/tenants/crashy/clusters", key, spec("halfway", 3));
      assertEquals(202, accepted.status());
      first.close(); // the control plane goes away with the operation in progress
      cloud.createOneMachineBehindTheScenes("node-0", "z1");

      cloud.pause(false);
      ControlPlane second =
          ControlPlane.builder()
              .dataDir(restartDir)
              .database(new ControlPlane.DatabaseSettings(null, null, null))
              .operatorKey(null)
              .provisioner(cloud.provisioner())
              .fleet(zk -> cloud.fleet())
              .reconcileIntervalMs(100)
              .start();
      try {
        JsonNode done = finish(second, accepted);
        assertEquals("Succeeded", done.get("status").asText());
        assertEquals(3, cloud.created(), "the existing machine was kept, two were added");
      } finally {
        second.close();
      }
    } finally {
      operator = saved;
    }
  }
}
