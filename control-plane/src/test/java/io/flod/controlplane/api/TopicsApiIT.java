package io.flod.controlplane.api;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.flod.api.TopicView;
import io.flod.controlplane.ControlPlane;
import io.flod.controlplane.api.ApiClient.Reply;
import io.flod.controlplane.cluster.InMemoryFakeProvisionerAccess;
import io.flod.controlplane.topic.TopicPlacement;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Topics (event hubs) over real HTTP and the real database. Placement on brokers goes through Helix
 * once replication exists; here a recording fake stands in and shows what would be placed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TopicsApiIT {
  @TempDir static Path dataDir;
  private final ApiClient api = new ApiClient();
  private final List<String> placed = new CopyOnWriteArrayList<>();
  private ControlPlane controlPlane;
  private String operator;

  /** Records what would reach the brokers. */
  private final class RecordingFakePlacement implements TopicPlacement {
    @Override
    public void apply(UUID clusterId, TopicView topic) {
      placed.add(
          "apply "
              + topic.name()
              + " partitions="
              + topic.partitions()
              + " rf="
              + topic.replicationFactor());
    }

    @Override
    public void remove(UUID clusterId, String topic) {
      placed.add("remove " + topic);
    }
  }

  private final InMemoryFakeProvisionerAccess machines = new InMemoryFakeProvisionerAccess();

  @BeforeAll
  void start() throws Exception {
    controlPlane =
        ControlPlane.builder()
            .dataDir(dataDir)
            .database(new ControlPlane.DatabaseSettings(null, null, null))
            .operatorKey(null)
            .provisioner(machines.provisioner())
            .fleet(zk -> machines.fleet())
            .topicPlacement(new RecordingFakePlacement())
            .reconcileIntervalMs(100)
            .start();
    operator = controlPlane.operatorKey().secret();
    call("POST", "/v1/tenants", operator, "{\"name\":\"hubs\"}");
    call("POST", "/v1/tenants", operator, "{\"name\":\"elsewhere\"}");
    call(
        "POST",
        "/v1/tenants/hubs/clusters",
        operator,
        "{\"name\":\"ns\",\"nodeCount\":3,\"nodeSize\":\"small\",\"zones\":[\"z1\"],\"throughputUnits\":1,\"brokerVersion\":\"4.4\"}");
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                call("GET", "/v1/tenants/hubs/clusters/ns", operator, null)
                    .json()
                    .get("status")
                    .get("state")
                    .asText()
                    .equals("Ready"));
  }

  @AfterAll
  void stop() {
    controlPlane.close();
  }

  private Reply call(String method, String path, String key, String body, String... headers)
      throws Exception {
    return api.call(controlPlane, method, path, key, body, headers);
  }

  private static final String TOPICS = "/v1/tenants/hubs/clusters/ns/topics";

  @Test
  void aTopicGetsItsDefaultsAndIsPlaced() throws Exception {
    Reply created = call("POST", TOPICS, operator, "{\"name\":\"telemetry\"}");
    assertEquals(201, created.status(), String.valueOf(created.json()));
    assertEquals(TOPICS + "/telemetry", URI.create(created.header("Location")).getPath());
    JsonNode topic = created.json();
    assertEquals(4, topic.get("partitions").asInt());
    assertEquals(3, topic.get("replicationFactor").asInt(), "min(3, node count)");
    assertEquals(168, topic.get("retentionHours").asInt());
    assertEquals("delete", topic.get("cleanupPolicy").asText());
    assertEquals(1 << 20, topic.get("maxMessageBytes").asInt());
    assertTrue(placed.contains("apply telemetry partitions=4 rf=3"));
    assertEquals(409, call("POST", TOPICS, operator, "{\"name\":\"telemetry\"}").status());
  }

  @Test
  void partitionsGrowButNeverShrinkAndChangesNeedTheCurrentETag() throws Exception {
    String etag =
        call("POST", TOPICS, operator, "{\"name\":\"orders\",\"partitions\":4}").header("ETag");
    Reply grown =
        call("PATCH", TOPICS + "/orders", operator, "{\"partitions\":8}", "If-Match", etag);
    assertEquals(200, grown.status());
    assertEquals(8, grown.json().get("partitions").asInt());
    assertTrue(placed.contains("apply orders partitions=8 rf=3"));
    assertEquals(
        412,
        call("PATCH", TOPICS + "/orders", operator, "{\"retentionHours\":1}", "If-Match", etag)
            .status());
    Reply shrink = call("PATCH", TOPICS + "/orders", operator, "{\"partitions\":2}");
    assertEquals(409, shrink.status());
    assertTrue(shrink.json().get("detail").asText().contains("never"), shrink.json().toString());
    assertEquals(
        8, call("GET", TOPICS + "/orders", operator, null).json().get("partitions").asInt());
  }

  @Test
  void replicationCannotExceedTheClusterAndMinIsrCannotExceedReplication() throws Exception {
    Reply tooMany = call("POST", TOPICS, operator, "{\"name\":\"wide\",\"replicationFactor\":4}");
    assertEquals(400, tooMany.status());
    assertEquals("replicationFactor", tooMany.json().get("errors").get(0).get("field").asText());
    Reply minIsr =
        call(
            "POST",
            TOPICS,
            operator,
            "{\"name\":\"strict\",\"replicationFactor\":2,\"minInsyncReplicas\":3}");
    assertEquals(400, minIsr.status());
    assertEquals("minInsyncReplicas", minIsr.json().get("errors").get(0).get("field").asText());
    assertEquals(400, call("POST", TOPICS, operator, "{\"name\":\"bad name!\"}").status());
    assertEquals(
        400, call("POST", TOPICS, operator, "{\"name\":\"huge\",\"partitions\":2000}").status());
  }

  private static final String RULES = "/v1/tenants/hubs/clusters/ns/authorizationRules";

  @Test
  void sasRulesHaveTwoKeysConnectionStringsAndRegenerateOneAtATime() throws Exception {
    Reply created = call("POST", RULES, operator, "{\"name\":\"sender\",\"rights\":[\"send\"]}");
    assertEquals(201, created.status(), String.valueOf(created.json()));
    assertEquals("cluster", created.json().get("scope").asText());
    assertEquals(null, created.json().get("primaryKey"), "creating a rule does not show keys");
    assertEquals(
        409, call("POST", RULES, operator, "{\"name\":\"sender\",\"rights\":[\"send\"]}").status());

    JsonNode keys = call("POST", RULES + "/sender/listKeys", operator, null).json();
    String primary = keys.get("primaryKey").asText();
    String secondary = keys.get("secondaryKey").asText();
    assertEquals(32, java.util.Base64.getDecoder().decode(primary).length);
    assertEquals(
        "Endpoint=sb://ns.hubs.flod/;SharedAccessKeyName=sender;SharedAccessKey=" + primary,
        keys.get("primaryConnectionString").asText());
    // At rest the keys are sealed (AES-GCM under the control plane's secrets key), never plain.
    ControlPlane.DatabaseSettings db = controlPlane.database();
    try (java.sql.Connection c =
            java.sql.DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
        java.sql.ResultSet stored =
            c.createStatement()
                .executeQuery(
                    "SELECT primary_key, secondary_key FROM authorization_rules WHERE name = 'sender'")) {
      assertTrue(stored.next());
      for (int column = 1; column <= 2; column++) {
        String value = stored.getString(column);
        assertTrue(value.startsWith("v1:"), "sealed: " + value);
        assertTrue(!value.contains(primary) && !value.contains(secondary), "no key in clear");
      }
    }

    JsonNode regenerated =
        call("POST", RULES + "/sender/regenerateKeys", operator, "{\"keyType\":\"PrimaryKey\"}")
            .json();
    assertTrue(!regenerated.get("primaryKey").asText().equals(primary), "a new primary key");
    assertEquals(
        secondary,
        regenerated.get("secondaryKey").asText(),
        "the secondary key stays, so clients can switch");
    assertEquals(
        400,
        call("POST", RULES + "/sender/regenerateKeys", operator, "{\"keyType\":\"Both\"}")
            .status());

    Reply manageOnly =
        call("POST", RULES, operator, "{\"name\":\"admin\",\"rights\":[\"manage\"]}");
    assertEquals(400, manageOnly.status());
    assertEquals("rights", manageOnly.json().get("errors").get(0).get("field").asText());
    assertEquals(
        201,
        call(
                "POST",
                RULES,
                operator,
                "{\"name\":\"admin\",\"rights\":[\"manage\",\"send\",\"listen\"]}")
            .status());
    assertEquals(2, call("GET", RULES, operator, null).json().get("items").size());

    Reply granted =
        call("PATCH", RULES + "/sender", operator, "{\"rights\":[\"listen\",\"send\"]}");
    assertEquals(200, granted.status(), String.valueOf(granted.json()));
    assertEquals("[\"listen\",\"send\"]", granted.json().get("rights").toString());
    JsonNode keysAfterGrant = call("POST", RULES + "/sender/listKeys", operator, null).json();
    assertEquals(
        regenerated.get("primaryKey").asText(),
        keysAfterGrant.get("primaryKey").asText(),
        "changing rights keeps the keys");
    Reply badGrant = call("PATCH", RULES + "/sender", operator, "{\"rights\":[\"manage\"]}");
    assertEquals(400, badGrant.status());
    assertEquals("rights", badGrant.json().get("errors").get(0).get("field").asText());
    assertEquals(
        404, call("PATCH", RULES + "/nobody", operator, "{\"rights\":[\"send\"]}").status());
    assertEquals(204, call("DELETE", RULES + "/admin", operator, null).status());
    assertEquals(404, call("POST", RULES + "/admin/listKeys", operator, null).status());
  }

  @Test
  void aClusterWithoutAuthenticationTakesNoRulesAndSaysHowToGetThem() throws Exception {
    String open = "/v1/tenants/hubs/clusters/open";
    Reply created =
        call(
            "POST",
            "/v1/tenants/hubs/clusters",
            operator,
            "{\"name\":\"open\",\"nodeCount\":1,\"nodeSize\":\"small\",\"zones\":[\"z1\"],"
                + "\"throughputUnits\":1,\"brokerVersion\":\"4.4\",\"authentication\":\"None\"}");
    assertEquals(202, created.status(), String.valueOf(created.json()));
    assertEquals(
        "SAS",
        call("GET", "/v1/tenants/hubs/clusters/ns", operator, null)
            .json()
            .get("spec")
            .get("authentication")
            .asText(),
        "a spec without authentication gets SAS");
    assertEquals(201, call("POST", open + "/topics", operator, "{\"name\":\"plain\"}").status());
    for (String rules :
        List.of(open + "/authorizationRules", open + "/topics/plain/authorizationRules")) {
      Reply refused = call("POST", rules, operator, "{\"name\":\"app\",\"rights\":[\"send\"]}");
      assertEquals(409, refused.status(), rules + ": " + refused.body());
      assertTrue(refused.header("Content-Type").startsWith("application/problem+json"));
      String detail = refused.json().get("detail").asText();
      assertTrue(
          detail.contains("has no authentication")
              && detail.contains("\"authentication\": \"SAS\""),
          detail);
      assertEquals(0, call("GET", rules, operator, null).json().get("items").size());
    }
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                call("GET", open, operator, null)
                    .json()
                    .get("status")
                    .get("state")
                    .asText()
                    .equals("Ready"));
  }

  @Test
  void concurrentCreatesOfOneNameMakeOneTopicRuleAndGroupAndTheRestConflict() throws Exception {
    int racers = 8;
    List<Reply> topics =
        ApiClient.atOnce(racers, () -> call("POST", TOPICS, operator, "{\"name\":\"contested\"}"));
    assertEquals(Map.of(201, 1, 409, racers - 1), ApiClient.statuses(topics), bodies(topics));
    assertEquals(1, placed.stream().filter(p -> p.startsWith("apply contested ")).count());

    String rules = TOPICS + "/contested/authorizationRules";
    List<Reply> ruleReplies =
        ApiClient.atOnce(
            racers,
            () -> call("POST", rules, operator, "{\"name\":\"racer\",\"rights\":[\"send\"]}"));
    assertEquals(
        Map.of(201, 1, 409, racers - 1), ApiClient.statuses(ruleReplies), bodies(ruleReplies));

    String groups = TOPICS + "/contested/consumerGroups";
    List<Reply> groupReplies =
        ApiClient.atOnce(racers, () -> call("POST", groups, operator, "{\"name\":\"racers\"}"));
    assertEquals(
        Map.of(201, 1, 409, racers - 1), ApiClient.statuses(groupReplies), bodies(groupReplies));

    List<Reply> revoked =
        ApiClient.atOnce(
            racers,
            () -> call("POST", TOPICS + "/contested/publishers/device-9/revoke", operator, null));
    assertEquals(Map.of(200, racers), ApiClient.statuses(revoked), "revoking is idempotent");
    assertEquals(
        1, revoked.stream().map(r -> r.json().get("revokedAt").asText()).distinct().count());
  }

  @Test
  void concurrentCreatesOfDifferentGroupsNeverPassATopicsLimit() throws Exception {
    call("POST", TOPICS, operator, "{\"name\":\"crowded\"}");
    String groups = TOPICS + "/crowded/consumerGroups";
    int max = io.flod.controlplane.group.ConsumerGroupService.MAX_GROUPS_PER_TOPIC;
    int racers = max + 5;
    java.util.concurrent.atomic.AtomicInteger names =
        new java.util.concurrent.atomic.AtomicInteger();
    List<Reply> replies =
        ApiClient.atOnce(
            racers,
            () ->
                call(
                    "POST",
                    groups,
                    operator,
                    "{\"name\":\"reader-" + names.incrementAndGet() + "\"}"));
    // $Default counts: max - 1 made, the rest refused.
    assertEquals(
        Map.of(201, max - 1, 409, racers - (max - 1)),
        ApiClient.statuses(replies),
        bodies(replies));
    assertEquals(max, call("GET", groups, operator, null).json().get("items").size());
  }

  private static String bodies(List<Reply> replies) {
    return replies.stream().map(r -> r.status() + " " + r.body()).toList().toString();
  }

  @Test
  void aTopicLevelRuleNamesItsTopicInTheConnectionString() throws Exception {
    call("POST", TOPICS, operator, "{\"name\":\"payments\"}");
    String rules = TOPICS + "/payments/authorizationRules";
    Reply created = call("POST", rules, operator, "{\"name\":\"reader\",\"rights\":[\"listen\"]}");
    assertEquals(201, created.status(), String.valueOf(created.json()));
    assertEquals("topics/payments", created.json().get("scope").asText());
    String connection =
        call("POST", rules + "/reader/listKeys", operator, null)
            .json()
            .get("primaryConnectionString")
            .asText();
    assertTrue(connection.endsWith(";EntityPath=payments"), connection);
    JsonNode clusterRules = call("GET", RULES, operator, null).json().get("items");
    clusterRules.forEach(
        r ->
            assertTrue(
                !r.get("name").asText().equals("reader"), "a topic rule is not a cluster rule"));
    assertEquals(
        404,
        call(
                "POST",
                TOPICS + "/nope/authorizationRules",
                operator,
                "{\"name\":\"x\",\"rights\":[\"send\"]}")
            .status());
    assertEquals(
        200,
        call("GET", TOPICS + "/payments", operator, null).status(),
        "topic routes still work beside rule routes");
    assertEquals(
        200,
        call("GET", "/v1/tenants/hubs/clusters/ns", operator, null).status(),
        "cluster routes too");
    String otherKey =
        call("POST", "/v1/tenants/elsewhere/keys", operator, null).json().get("secret").asText();
    assertEquals(
        404,
        call("POST", rules + "/reader/listKeys", otherKey, null).status(),
        "other tenants never see keys");
  }

  @Test
  void publishersAreRevokedAndRestoredAndListed() throws Exception {
    call("POST", TOPICS, operator, "{\"name\":\"sensors\"}");
    String publishers = TOPICS + "/sensors/publishers";
    assertEquals(0, call("GET", publishers, operator, null).json().get("items").size());
    Reply revoked = call("POST", publishers + "/device-7/revoke", operator, null);
    assertEquals(200, revoked.status(), String.valueOf(revoked.json()));
    assertTrue(revoked.json().get("revoked").asBoolean());
    assertEquals(
        revoked.json().get("revokedAt").asText(),
        call("POST", publishers + "/device-7/revoke", operator, null)
            .json()
            .get("revokedAt")
            .asText(),
        "revoking twice keeps the first time");
    JsonNode listed = call("GET", publishers, operator, null).json().get("items");
    assertEquals(1, listed.size());
    assertEquals("device-7", listed.get(0).get("name").asText());
    Reply restored = call("POST", publishers + "/device-7/unrevoke", operator, null);
    assertEquals(200, restored.status());
    assertTrue(!restored.json().get("revoked").asBoolean());
    assertEquals(0, call("GET", publishers, operator, null).json().get("items").size());
    assertEquals(400, call("POST", publishers + "/bad%20name!/revoke", operator, null).status());
    assertEquals(404, call("POST", TOPICS + "/nope/publishers/d/revoke", operator, null).status());
  }

  @Test
  void everyTopicHasDefaultAndAtMostTwentyConsumerGroups() throws Exception {
    call("POST", TOPICS, operator, "{\"name\":\"clicks\"}");
    String groups = TOPICS + "/clicks/consumerGroups";
    JsonNode initial = call("GET", groups, operator, null).json().get("items");
    assertEquals(1, initial.size());
    assertEquals("$Default", initial.get(0).get("name").asText());
    assertEquals(200, call("GET", groups + "/$Default", operator, null).status());
    assertEquals(409, call("DELETE", groups + "/$Default", operator, null).status());
    assertEquals(409, call("POST", groups, operator, "{\"name\":\"$Default\"}").status());
    for (int i = 1; i < 20; i++) {
      assertEquals(
          201,
          call("POST", groups, operator, "{\"name\":\"reader-" + i + "\"}").status(),
          "group " + i);
    }
    Reply twentyFirst = call("POST", groups, operator, "{\"name\":\"one-too-many\"}");
    assertEquals(409, twentyFirst.status());
    assertTrue(
        twentyFirst.json().get("detail").asText().contains("20"), twentyFirst.json().toString());
    assertEquals(20, call("GET", groups, operator, null).json().get("items").size());
    Reply described =
        call("PATCH", groups + "/reader-2", operator, "{\"userMetadata\":\"billing team\"}");
    assertEquals(200, described.status(), String.valueOf(described.json()));
    assertEquals(
        "billing team",
        call("GET", groups + "/reader-2", operator, null).json().get("userMetadata").asText());
    assertEquals(
        400,
        call(
                "PATCH",
                groups + "/reader-2",
                operator,
                "{\"userMetadata\":\"" + "x".repeat(1025) + "\"}")
            .status());
    assertEquals(204, call("DELETE", groups + "/reader-1", operator, null).status());
    assertEquals(
        201, call("POST", groups, operator, "{\"name\":\"one-too-many\"}").status(), "room again");
    String otherKey =
        call("POST", "/v1/tenants/elsewhere/keys", operator, null).json().get("secret").asText();
    assertEquals(404, call("GET", groups, otherKey, null).status());
  }

  @Test
  void anotherTenantCannotSeeOrTouchTopicsAndDeletingRemovesThem() throws Exception {
    call("POST", TOPICS, operator, "{\"name\":\"secret\"}");
    String otherKey =
        call("POST", "/v1/tenants/elsewhere/keys", operator, null).json().get("secret").asText();
    assertEquals(404, call("GET", TOPICS + "/secret", otherKey, null).status());
    assertEquals(404, call("GET", TOPICS, otherKey, null).status());
    assertEquals(404, call("DELETE", TOPICS + "/secret", otherKey, null).status());
    assertEquals(204, call("DELETE", TOPICS + "/secret", operator, null).status());
    assertEquals(404, call("GET", TOPICS + "/secret", operator, null).status());
    assertTrue(placed.contains("remove secret"));
  }
}
