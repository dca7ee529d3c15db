package io.flod.terraform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.flod.terraform.cty.Unknown;
import io.flod.terraform.resource.AuthorizationRuleResource;
import io.flod.terraform.resource.ClusterResource;
import io.flod.terraform.resource.Planner;
import io.flod.terraform.resource.ProviderException;
import io.flod.terraform.resource.TopicResource;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which changes update in place, which replace, which are refused: decided at plan time. */
class PlannerTest {
  private final ClusterResource cluster =
      new ClusterResource(
          () -> {
            throw new AssertionError("planning calls no API");
          });
  private final TopicResource topic =
      new TopicResource(
          () -> {
            throw new AssertionError("planning calls no API");
          });

  private static Map<String, Object> clusterConfig(int nodes) {
    Map<String, Object> config = new LinkedHashMap<>();
    for (String name :
        List.of(
            "id",
            "name",
            "tenant",
            "node_count",
            "node_size",
            "zones",
            "update_domains",
            "throughput_units",
            "broker_version",
            "bootstrap_servers",
            "state",
            "timeouts")) {
      config.put(name, null);
    }
    config.put("name", "c1");
    config.put("node_count", BigDecimal.valueOf(nodes));
    return config;
  }

  private static Map<String, Object> clusterState(int nodes) {
    Map<String, Object> state = clusterConfig(nodes);
    state.put("id", "t/c1");
    state.put("tenant", "t");
    state.put("node_size", "small");
    state.put("zones", List.of("default"));
    state.put("update_domains", BigDecimal.valueOf(5));
    state.put("throughput_units", BigDecimal.ONE);
    state.put("broker_version", "4.0");
    state.put("bootstrap_servers", "h:1");
    state.put("state", "Ready");
    return state;
  }

  @Test
  void aCreateDefaultsWhatItCanAndLeavesTheRestUnknown() {
    Map<String, Object> config = clusterConfig(3);
    Planner.Plan plan = Planner.plan(cluster, null, config, config);
    assertEquals("small", plan.planned().get("node_size"));
    assertEquals(Unknown.VALUE, plan.planned().get("id"));
    assertEquals(Unknown.VALUE, plan.planned().get("bootstrap_servers"));
    assertEquals(List.of(), plan.requiresReplace());
  }

  @Test
  void nodeCountScalesInPlace() {
    Map<String, Object> prior = clusterState(3);
    Map<String, Object> proposed = new LinkedHashMap<>(prior);
    proposed.put("node_count", BigDecimal.valueOf(5));
    Planner.Plan plan = Planner.plan(cluster, prior, proposed, clusterConfig(5));
    assertEquals(List.of(), plan.requiresReplace(), "a scale is never a replacement");
    assertEquals(Unknown.VALUE, plan.planned().get("bootstrap_servers"));
    assertEquals("t/c1", plan.planned().get("id"));
  }

  @Test
  void aNewNodeSizeReplacesTheCluster() {
    Map<String, Object> prior = clusterState(3);
    Map<String, Object> proposed = new LinkedHashMap<>(prior);
    proposed.put("node_size", "large");
    Map<String, Object> config = clusterConfig(3);
    config.put("node_size", "large");
    assertEquals(
        List.of("node_size"), Planner.plan(cluster, prior, proposed, config).requiresReplace());
  }

  @Test
  void aDeletePlansNull() {
    assertNull(Planner.plan(cluster, clusterState(3), null, Map.of()).planned());
  }

  @Test
  void partitionsGrowInPlaceAndNeverShrink() {
    Map<String, Object> prior = new LinkedHashMap<>();
    for (String name :
        List.of(
            "id",
            "cluster_id",
            "name",
            "partitions",
            "replication_factor",
            "retention_hours",
            "config")) {
      prior.put(name, null);
    }
    prior.put("id", "t/c1/orders");
    prior.put("cluster_id", "t/c1");
    prior.put("name", "orders");
    prior.put("partitions", BigDecimal.valueOf(4));
    prior.put("replication_factor", BigDecimal.valueOf(3));
    prior.put("retention_hours", BigDecimal.valueOf(24));
    Map<String, Object> grown = new LinkedHashMap<>(prior);
    grown.put("partitions", BigDecimal.valueOf(8));
    assertEquals(List.of(), Planner.plan(topic, prior, grown, grown).requiresReplace());
    Map<String, Object> shrunk = new LinkedHashMap<>(prior);
    shrunk.put("partitions", BigDecimal.valueOf(2));
    ProviderException e =
        assertThrows(ProviderException.class, () -> Planner.plan(topic, prior, shrunk, shrunk));
    assertEquals("partitions", e.attribute());
  }

  private final AuthorizationRuleResource rule =
      new AuthorizationRuleResource(
          () -> {
            throw new AssertionError("planning calls no API");
          });

  private static Map<String, Object> ruleState() {
    Map<String, Object> state = new LinkedHashMap<>();
    state.put("id", "t/c1/orders/reader");
    state.put("cluster_id", "t/c1");
    state.put("topic", "orders");
    state.put("name", "reader");
    state.put("rights", List.of("listen"));
    for (String key :
        List.of(
            "primary_key",
            "secondary_key",
            "primary_connection_string",
            "secondary_connection_string")) {
      state.put(key, "secret-" + key);
    }
    return state;
  }

  @Test
  void newRightsKeepTheRuleAndItsKeysAndANewScopeReplacesIt() {
    Map<String, Object> prior = ruleState();
    Map<String, Object> granted = new LinkedHashMap<>(prior);
    granted.put("rights", List.of("listen", "send"));
    Planner.Plan plan = Planner.plan(rule, prior, granted, granted);
    assertEquals(List.of(), plan.requiresReplace());
    assertEquals("secret-primary_key", plan.planned().get("primary_key"), "keys stay known");

    Map<String, Object> moved = new LinkedHashMap<>(prior);
    moved.put("topic", null);
    Map<String, Object> config = new LinkedHashMap<>(moved);
    List.of("id", "primary_key", "secondary_key", "primary_connection_string")
        .forEach(k -> config.put(k, null));
    config.put("secondary_connection_string", null);
    Planner.Plan replaced = Planner.plan(rule, prior, moved, config);
    assertEquals(List.of("topic"), replaced.requiresReplace());
    assertEquals(Unknown.VALUE, replaced.planned().get("primary_key"), "a new rule, new keys");
  }

  @Test
  void manageWithoutSendAndListenIsRefusedOnRights() {
    Map<String, Object> config = ruleState();
    config.put("rights", List.of("manage"));
    ProviderException e = assertThrows(ProviderException.class, () -> rule.validate(config));
    assertEquals("rights", e.attribute());
    config.put("rights", List.of("send", "sned"));
    assertEquals(
        "rights", assertThrows(ProviderException.class, () -> rule.validate(config)).attribute());
  }
}
