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
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every route of {@code /v1/openapi.json}, generated from the document (a new route is in the
 * matrix the day it is documented), against every kind of caller: none, a key that does not exist,
 * another tenant's key, and the owning tenant's key. Nobody but the owner (and the operator) learns
 * or changes anything of tenant alpha: no credentials is a 401, another tenant is refused (404, or
 * 403 where the route is the operator's) and never a 2xx, nothing answers 5xx, and alpha's
 * resources are all still there afterwards.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RestAuthorizationMatrixIT {
  private static final Set<String> PUBLIC =
      Set.of("/healthz", "/readyz", "/metrics", "/v1/openapi.json");
  private static final String CLUSTER = "/v1/tenants/alpha/clusters/c1";

  /**
   * A valid body for every route that takes one, so that a route missing its authorization check
   * would succeed (and the test fail) rather than stop at validation. A documented route that takes
   * a body and has no entry here fails the test.
   */
  private static final Map<String, String> BODIES =
      Map.ofEntries(
          Map.entry("POST /v1/tenants", "{\"name\":\"intruder\"}"),
          Map.entry("PATCH /v1/tenants/{name}", "{\"displayName\":\"taken over\"}"),
          Map.entry(
              "POST /v1/tenants/{tenant}/clusters",
              "{\"name\":\"c2\",\"nodeCount\":3,\"nodeSize\":\"small\",\"zones\":[\"z1\"],"
                  + "\"throughputUnits\":1,\"brokerVersion\":\"4.4\"}"),
          Map.entry("PATCH /v1/tenants/{tenant}/clusters/{cluster}", "{\"nodeCount\":5}"),
          Map.entry("POST /v1/tenants/{tenant}/clusters/{cluster}/topics", "{\"name\":\"t2\"}"),
          Map.entry(
              "PATCH /v1/tenants/{tenant}/clusters/{cluster}/topics/{topic}",
              "{\"retentionHours\":1}"),
          Map.entry(
              "POST /v1/tenants/{tenant}/clusters/{cluster}/authorizationRules",
              "{\"name\":\"r2\",\"rights\":[\"send\"]}"),
          Map.entry(
              "PATCH /v1/tenants/{tenant}/clusters/{cluster}/authorizationRules/{rule}",
              "{\"rights\":[\"send\"]}"),
          Map.entry(
              "POST /v1/tenants/{tenant}/clusters/{cluster}/authorizationRules/{rule}/regenerateKeys",
              "{\"keyType\":\"PrimaryKey\"}"),
          Map.entry(
              "POST /v1/tenants/{tenant}/clusters/{cluster}/topics/{topic}/authorizationRules",
              "{\"name\":\"r2\",\"rights\":[\"send\"]}"),
          Map.entry(
              "PATCH /v1/tenants/{tenant}/clusters/{cluster}/topics/{topic}/authorizationRules/{rule}",
              "{\"rights\":[\"send\"]}"),
          Map.entry(
              "POST /v1/tenants/{tenant}/clusters/{cluster}/topics/{topic}/authorizationRules/{rule}"
                  + "/regenerateKeys",
              "{\"keyType\":\"PrimaryKey\"}"),
          Map.entry(
              "POST /v1/tenants/{tenant}/clusters/{cluster}/topics/{topic}/consumerGroups",
              "{\"name\":\"g2\"}"),
          Map.entry(
              "PATCH /v1/tenants/{tenant}/clusters/{cluster}/topics/{topic}/consumerGroups/{group}",
              "{\"userMetadata\":\"taken over\"}"),
          Map.entry(
              "POST /v1/agents/register",
              "{\"host\":\"127.0.0.1\",\"brokerPort\":9092,\"httpPort\":0}"),
          Map.entry(
              "POST /v1/agents/heartbeat",
              "{\"brokerState\":\"running\",\"restarts\":0,\"diskUsedBytes\":0,"
                  + "\"diskFreeBytes\":0,\"partitionsLed\":0,\"decommissioned\":false,"
                  + "\"brokerPort\":9092,\"httpPort\":0}"));

  /** Routes that take no body (actions named by their path). */
  private static final Set<String> NO_BODY =
      Set.of(
          "POST /v1/tenants/{name}/keys",
          "POST /v1/operations/{id}/cancel",
          "POST /v1/tenants/{tenant}/clusters/{cluster}/authorizationRules/{rule}/listKeys",
          "POST /v1/tenants/{tenant}/clusters/{cluster}/topics/{topic}/authorizationRules/{rule}"
              + "/listKeys",
          "POST /v1/tenants/{tenant}/clusters/{cluster}/topics/{topic}/partitions/{partition}"
              + "/acceptDataLoss",
          "POST /v1/tenants/{tenant}/clusters/{cluster}/topics/{topic}/publishers/{publisher}"
              + "/revoke",
          "POST /v1/tenants/{tenant}/clusters/{cluster}/topics/{topic}/publishers/{publisher}"
              + "/unrevoke");

  @TempDir static Path dataDir;
  private final ApiClient api = new ApiClient();
  private final InMemoryFakeProvisionerAccess machines = new InMemoryFakeProvisionerAccess();
  private ControlPlane controlPlane;
  private String operator;
  private String alphaKey;
  private String betaKey;
  private final Map<String, String> params = new java.util.HashMap<>();

  @BeforeAll
  void start() throws Exception {
    controlPlane =
        ControlPlane.builder()
            .dataDir(dataDir)
            .database(new ControlPlane.DatabaseSettings(null, null, null))
            .operatorKey(null)
            .provisioner(machines.provisioner())
            .fleet(zk -> machines.fleet())
            .reconcileIntervalMs(100)
            .start();
    operator = controlPlane.operatorKey().secret();
    call("POST", "/v1/tenants", operator, "{\"name\":\"alpha\"}");
    call("POST", "/v1/tenants", operator, "{\"name\":\"beta\"}");
    Reply alpha = call("POST", "/v1/tenants/alpha/keys", operator, null);
    alphaKey = alpha.json().get("secret").asText();
    betaKey = call("POST", "/v1/tenants/beta/keys", operator, null).json().get("secret").asText();
    Reply created =
        call(
            "POST",
            "/v1/tenants/alpha/clusters",
            alphaKey,
            "{\"name\":\"c1\",\"nodeCount\":3,\"nodeSize\":\"small\",\"zones\":[\"z1\"],"
                + "\"throughputUnits\":1,\"brokerVersion\":\"4.4\",\"authentication\":\"SAS\"}");
    assertEquals(202, created.status(), created.body());
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                call("GET", CLUSTER, alphaKey, null)
                    .json()
                    .get("status")
                    .get("state")
                    .asText()
                    .equals("Ready"));
    assertEquals(201, call("POST", CLUSTER + "/topics", alphaKey, "{\"name\":\"t1\"}").status());
    assertEquals(201, call("POST", CLUSTER + "/authorizationRules", alphaKey, rule("r1")).status());
    assertEquals(
        201,
        call("POST", CLUSTER + "/topics/t1/authorizationRules", alphaKey, rule("r1")).status());
    assertEquals(
        201,
        call("POST", CLUSTER + "/topics/t1/consumerGroups", alphaKey, "{\"name\":\"g1\"}")
            .status());
    params.put("name", "alpha");
    params.put("tenant", "alpha");
    params.put("cluster", "c1");
    params.put("topic", "t1");
    params.put("partition", "0");
    params.put("rule", "r1");
    params.put("group", "g1");
    params.put("publisher", "device-1");
    params.put("id", URI.create(created.header("Location")).getPath().replaceAll(".*/", ""));
    params.put("keyId", alpha.json().get("id").asText());
  }

  @AfterAll
  void stop() {
    if (controlPlane != null) {
      controlPlane.close();
    }
  }

  private static String rule(String name) {
    return "{\"name\":\"" + name + "\",\"rights\":[\"send\",\"listen\",\"manage\"]}";
  }

  private Reply call(String method, String path, String key, String body) throws Exception {
    return api.call(controlPlane, method, path, key, body);
  }

  /** Every documented route and method, with alpha's resources in its path parameters. */
  private List<String[]> routes() throws Exception {
    JsonNode paths = call("GET", "/v1/openapi.json", null, null).json().get("paths");
    List<String[]> routes = new ArrayList<>();
    for (Iterator<String> it = paths.fieldNames(); it.hasNext(); ) {
      String template = it.next();
      for (Iterator<String> methods = paths.get(template).fieldNames(); methods.hasNext(); ) {
        String method = methods.next().toUpperCase(java.util.Locale.ROOT);
        if (!Set.of("GET", "POST", "PUT", "PATCH", "DELETE").contains(method)) {
          continue;
        }
        String path = template;
        if (template.startsWith("/v1/tenants/{name}/keys/{id}")) {
          path = path.replace("{id}", params.get("keyId"));
        }
        for (Map.Entry<String, String> p : params.entrySet()) {
          path = path.replace("{" + p.getKey() + "}", p.getValue());
        }
        assertTrue(!path.contains("{"), "no value for a parameter of " + template);
        routes.add(new String[] {method, path, template});
      }
    }
    assertTrue(routes.size() >= 40, "the document lists every route: " + routes.size());
    return routes;
  }

  @Test
  void everyRouteRefusesEveryoneButItsOwner() throws Exception {
    List<String> unexpected = new ArrayList<>();
    int cells = 0;
    for (String[] route : routes()) {
      String method = route[0];
      String path = route[1];
      String template = route[2];
      boolean isPublic = PUBLIC.contains(template);
      boolean agentRoute = template.startsWith("/v1/agents/");
      String body = null;
      if (!method.equals("GET") && !method.equals("DELETE")) {
        String key = method + " " + template;
        body = BODIES.get(key);
        if (body == null && !NO_BODY.contains(key)) {
          unexpected.add(key + " has no entry in the matrix: add a valid body or NO_BODY");
          continue;
        }
      }

      Reply anonymous = call(method, path, null, body);
      cells++;
      if (isPublic ? anonymous.status() != 200 : anonymous.status() != 401) {
        unexpected.add(method + " " + template + " without credentials: " + anonymous.status());
      }
      if (isPublic) {
        continue;
      }
      Reply unknown = call(method, path, "flod_no-such-key", body);
      cells++;
      if (unknown.status() != 401) {
        unexpected.add(method + " " + template + " with an unknown key: " + unknown.status());
      }
      Reply other = call(method, path, betaKey, body);
      cells++;
      boolean collection = template.equals("/v1/tenants");
      boolean refused =
          agentRoute
              ? other.status() == 401
              : collection
                  ? (method.equals("GET") ? other.status() == 200 : other.status() == 403)
                  : other.status() == 404 || other.status() == 403;
      if (!refused) {
        unexpected.add(method + " " + template + " with another tenant's key: " + other.status());
      }
      if (collection && method.equals("GET")) {
        for (JsonNode tenant : other.json().get("items")) {
          if (!tenant.get("name").asText().equals("beta")) {
            unexpected.add("GET /v1/tenants with beta's key lists " + tenant.get("name"));
          }
        }
      }
      if (method.equals("GET") && !agentRoute) {
        Reply owner = call(method, path, alphaKey, null);
        cells++;
        if (owner.status() != 200) {
          unexpected.add(method + " " + template + " with the owner's key: " + owner.status());
        }
      }
    }
    System.out.printf(
        "MEASURED REST authorization matrix: %d cells, %d unexpected%n", cells, unexpected.size());
    assertEquals(List.of(), unexpected);

    // Nothing of alpha was changed or removed by the refused calls.
    for (String path :
        List.of(
            "/v1/tenants/alpha",
            CLUSTER,
            CLUSTER + "/topics/t1",
            CLUSTER + "/authorizationRules/r1",
            CLUSTER + "/topics/t1/authorizationRules/r1",
            CLUSTER + "/topics/t1/consumerGroups/g1")) {
      assertEquals(200, call("GET", path, alphaKey, null).status(), path);
    }
    assertEquals(
        3,
        call("GET", CLUSTER, alphaKey, null).json().get("spec").get("nodeCount").asInt(),
        "the cluster was not scaled by another tenant");
  }
}
