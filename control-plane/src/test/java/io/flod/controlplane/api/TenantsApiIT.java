package io.flod.controlplane.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.flod.controlplane.ControlPlane;
import io.flod.controlplane.api.ApiClient.Reply;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The tenants API over real HTTP, against the control plane's own real PostgreSQL. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TenantsApiIT {
  @TempDir static Path dataDir;
  private final ApiClient api = new ApiClient();
  private ControlPlane controlPlane;
  private String operatorKey;

  @BeforeAll
  void start() {
    controlPlane = ControlPlane.builder().dataDir(dataDir).start();
    operatorKey = controlPlane.operatorKey().secret();
  }

  @AfterAll
  void stop() {
    if (controlPlane != null) {
      controlPlane.close();
    }
  }

  private Reply call(String method, String path, String key, String body, String... headers)
      throws Exception {
    return api.call(controlPlane, method, path, key, body, headers);
  }

  private void assertProblem(Reply reply, int status, String type) throws Exception {
    assertEquals(status, reply.status(), reply.body());
    assertEquals("application/problem+json", reply.header("Content-Type"));
    assertEquals(status, reply.json().get("status").asInt());
    assertTrue(reply.json().get("type").asText().endsWith(type), reply.body());
  }

  @Test
  void healthProbesNeedNoKeyAndEverythingElseDoes() throws Exception {
    assertEquals(200, call("GET", "/healthz", null, null).status());
    assertEquals(200, call("GET", "/readyz", null, null).status());
    Reply openApi = call("GET", "/v1/openapi.json", null, null);
    assertEquals(200, openApi.status());
    assertEquals("3.0.3", openApi.json().get("openapi").asText());
    Reply anonymous = call("GET", "/v1/tenants", null, null);
    assertProblem(anonymous, 401, "unauthorized");
    assertEquals("Bearer", anonymous.header("WWW-Authenticate"));
    assertProblem(call("GET", "/v1/tenants", "flod_not-a-real-key", null), 401, "unauthorized");
    assertProblem(call("GET", "/v1/nowhere", operatorKey, null), 404, "http-404");
  }

  @Test
  void aTenantIsCreatedReadChangedWithItsETagAndDeleted() throws Exception {
    Reply created =
        call(
            "POST",
            "/v1/tenants",
            operatorKey,
            "{\"name\":\"fabrikam\",\"displayName\":\"Fabrikam\"}");
    assertEquals(201, created.status(), created.body());
    assertEquals("/v1/tenants/fabrikam", URI.create(created.header("Location")).getPath());
    assertEquals("\"0\"", created.header("ETag"));
    assertProblem(
        call("POST", "/v1/tenants", operatorKey, "{\"name\":\"fabrikam\"}"), 409, "conflict");

    Reply read = call("GET", "/v1/tenants/fabrikam", operatorKey, null);
    assertEquals("Fabrikam", read.json().get("displayName").asText());
    String etag = read.header("ETag");

    Reply changed =
        call(
            "PATCH",
            "/v1/tenants/fabrikam",
            operatorKey,
            "{\"displayName\":\"Fabrikam Inc\"}",
            "If-Match",
            etag);
    assertEquals(200, changed.status(), changed.body());
    assertEquals("\"1\"", changed.header("ETag"));
    assertProblem(
        call(
            "PATCH",
            "/v1/tenants/fabrikam",
            operatorKey,
            "{\"displayName\":\"Lost update\"}",
            "If-Match",
            etag),
        412,
        "precondition-failed");
    assertEquals(
        "Fabrikam Inc",
        call("GET", "/v1/tenants/fabrikam", operatorKey, null).json().get("displayName").asText());

    assertProblem(
        call("DELETE", "/v1/tenants/fabrikam", operatorKey, null, "If-Match", etag),
        412,
        "precondition-failed");
    assertEquals(
        204,
        call("DELETE", "/v1/tenants/fabrikam", operatorKey, null, "If-Match", "\"1\"").status());
    assertProblem(call("GET", "/v1/tenants/fabrikam", operatorKey, null), 404, "not-found");
  }

  @Test
  void badBodiesGetProblemsThatSayWhatIsWrong() throws Exception {
    Reply invalid = call("POST", "/v1/tenants", operatorKey, "{\"name\":\"Not_Valid!\"}");
    assertProblem(invalid, 400, "validation-failed");
    assertEquals("name", invalid.json().get("errors").get(0).get("field").asText());
    assertProblem(
        call("POST", "/v1/tenants", operatorKey, "{\"name\": \"x\""), 400, "malformed-request");
    Reply unknown =
        call("POST", "/v1/tenants", operatorKey, "{\"name\":\"ok\",\"colour\":\"blue\"}");
    assertProblem(unknown, 400, "validation-failed");
    assertEquals("colour", unknown.json().get("errors").get(0).get("field").asText());
    assertProblem(call("POST", "/v1/tenants", operatorKey, null), 400, "malformed-request");
    String huge = "{\"name\":\"big\",\"displayName\":\"" + "x".repeat(2 << 20) + "\"}";
    assertProblem(call("POST", "/v1/tenants", operatorKey, huge), 413, "payload-too-large");
    assertProblem(call("GET", "/v1/tenants/big", operatorKey, null), 404, "not-found");
  }

  @Test
  void aTenantKeySeesOnlyItsOwnTenantAndStopsWorkingWhenRevoked() throws Exception {
    call("POST", "/v1/tenants", operatorKey, "{\"name\":\"alpha\"}");
    call("POST", "/v1/tenants", operatorKey, "{\"name\":\"beta\"}");
    Reply key = call("POST", "/v1/tenants/alpha/keys", operatorKey, null);
    assertEquals(201, key.status(), key.body());
    String secret = key.json().get("secret").asText();
    assertTrue(secret.startsWith("flod_"));

    assertEquals(200, call("GET", "/v1/tenants/alpha", secret, null).status());
    assertProblem(call("GET", "/v1/tenants/beta", secret, null), 404, "not-found");
    assertProblem(call("POST", "/v1/tenants/beta/keys", secret, null), 404, "not-found");
    assertProblem(call("POST", "/v1/tenants", secret, "{\"name\":\"gamma\"}"), 403, "forbidden");
    JsonNode visible = call("GET", "/v1/tenants", secret, null).json().get("items");
    assertEquals(1, visible.size());
    assertEquals("alpha", visible.get(0).get("name").asText());

    JsonNode keys = call("GET", "/v1/tenants/alpha/keys", operatorKey, null).json();
    assertEquals(1, keys.size());
    assertNull(keys.get(0).get("secret"), "a secret is shown only once");
    assertEquals(
        204,
        call(
                "DELETE",
                "/v1/tenants/alpha/keys/" + keys.get(0).get("id").asText(),
                operatorKey,
                null)
            .status());
    assertProblem(call("GET", "/v1/tenants/alpha", secret, null), 401, "unauthorized");
  }

  @Test
  void metricsCountRequestsPerRouteTemplateAndStatus() throws Exception {
    call("POST", "/v1/tenants", operatorKey, "{\"name\":\"metered\"}");
    call("GET", "/v1/tenants/metered", operatorKey, null);
    call("GET", "/v1/tenants/no-such-tenant", operatorKey, null);
    Reply metrics = call("GET", "/metrics", null, null);
    assertEquals(200, metrics.status());
    assertTrue(
        metrics
            .body()
            .lines()
            .anyMatch(
                l ->
                    l.startsWith("flod_api_requests_seconds_count{")
                        && l.contains("method=\"GET\"")
                        && l.contains("route=\"/v1/tenants/{name}\"")
                        && l.contains("status=\"404\"")),
        metrics.body());
    assertFalse(metrics.body().contains("metered\""), "tenant names never become labels");
  }

  @Test
  void listsPageWithNextLinks() throws Exception {
    for (int i = 0; i < 5; i++) {
      call("POST", "/v1/tenants", operatorKey, "{\"name\":\"paged-" + i + "\"}");
    }
    List<String> names = new ArrayList<>();
    String next = "/v1/tenants?pageSize=2";
    int pages = 0;
    while (next != null) {
      JsonNode page = call("GET", next, operatorKey, null).json();
      page.get("items").forEach(t -> names.add(t.get("name").asText()));
      next = page.hasNonNull("nextLink") ? page.get("nextLink").asText() : null;
      pages++;
    }
    assertTrue(pages >= 3);
    for (int i = 0; i < 5; i++) {
      assertTrue(names.contains("paged-" + i));
    }
    assertEquals(names.size(), names.stream().distinct().count(), "no tenant twice across pages");
  }

  @Test
  void theOperatorKeyIsWrittenOnceWithMode600AndSurvivesARestartAsDoesTheData() throws Exception {
    Path keyFile = dataDir.resolve("operator.key");
    assertEquals(
        "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)));
    assertTrue(controlPlane.operatorKey().generated());
    call("POST", "/v1/tenants", operatorKey, "{\"name\":\"durable\"}");
    String zookeeper = controlPlane.zookeeperConnectString();
    try (ZooKeeperProbe probe = new ZooKeeperProbe(zookeeper)) {
      probe.create("/durability-probe", "kept");
    }
    controlPlane.close();
    controlPlane = ControlPlane.builder().dataDir(dataDir).start();
    assertFalse(controlPlane.operatorKey().generated());
    assertEquals(operatorKey, controlPlane.operatorKey().secret());
    assertNotNull(call("GET", "/v1/tenants/durable", operatorKey, null).json().get("id"));
    // The owned ZooKeeper comes back on the same address with its data (brokers hold the address).
    assertEquals(zookeeper, controlPlane.zookeeperConnectString());
    try (ZooKeeperProbe probe = new ZooKeeperProbe(zookeeper)) {
      assertEquals("kept", probe.read("/durability-probe"));
    }
    assertEquals(200, call("GET", "/readyz", null, null).status());
  }

  /** A plain ZooKeeper client, to look at the owned server from outside the control plane. */
  private static final class ZooKeeperProbe implements AutoCloseable {
    private final org.apache.zookeeper.ZooKeeper zk;

    ZooKeeperProbe(String connect) throws Exception {
      zk = io.flod.controlplane.zk.ClusterCoordination.connect(connect);
    }

    void create(String path, String data) throws Exception {
      zk.create(
          path,
          data.getBytes(java.nio.charset.StandardCharsets.UTF_8),
          org.apache.zookeeper.ZooDefs.Ids.OPEN_ACL_UNSAFE,
          org.apache.zookeeper.CreateMode.PERSISTENT);
    }

    String read(String path) throws Exception {
      return new String(zk.getData(path, false, null), java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws InterruptedException {
      zk.close();
    }
  }
}
