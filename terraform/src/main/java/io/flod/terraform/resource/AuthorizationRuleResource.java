package io.flod.terraform.resource;

import com.fasterxml.jackson.databind.JsonNode;
import io.flod.terraform.cty.CtyType;
import io.flod.terraform.schema.Attribute;
import io.flod.terraform.schema.Block;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * {@code flod_authorization_rule}: a SAS policy on a cluster (no {@code topic}) or on one topic,
 * with rights among send, listen and manage. Rights change in place and the keys stay, so clients
 * keep their connection strings; the keys and connection strings are computed and sensitive. Its id
 * is {@code <tenant>/<cluster>/<rule>} or {@code <tenant>/<cluster>/<topic>/<rule>}.
 */
public final class AuthorizationRuleResource implements ResourceType {
  static final Set<String> RIGHTS = Set.of("send", "listen", "manage");
  static final Block SCHEMA =
      new Block(
          "A shared access (SAS) policy of a cluster or of one of its topics.",
          List.of(
              Attribute.computed(
                  "id",
                  CtyType.STRING,
                  "<tenant>/<cluster>/<rule> or <tenant>/<cluster>/<topic>/<rule>"),
              Attribute.required("cluster_id", CtyType.STRING, "The flod_cluster's id.")
                  .forcingNew(),
              Attribute.optional(
                      "topic", CtyType.STRING, "A topic's name; the rule covers only that topic.")
                  .forcingNew(),
              Attribute.required("name", CtyType.STRING, "Rule name (1-64 of A-Za-z0-9._-).")
                  .forcingNew(),
              Attribute.required(
                  "rights",
                  CtyType.set(CtyType.STRING),
                  "send, listen and/or manage (manage needs the other two)."),
              Attribute.computed("primary_key", CtyType.STRING, "Primary signing key.")
                  .asSensitive(),
              Attribute.computed("secondary_key", CtyType.STRING, "Secondary signing key.")
                  .asSensitive(),
              Attribute.computed(
                      "primary_connection_string",
                      CtyType.STRING,
                      "Event Hubs connection string with the primary key.")
                  .asSensitive(),
              Attribute.computed(
                      "secondary_connection_string",
                      CtyType.STRING,
                      "Event Hubs connection string with the secondary key.")
                  .asSensitive()));

  private final Supplier<FlodApi> api;

  public AuthorizationRuleResource(Supplier<FlodApi> api) {
    this.api = api;
  }

  @Override
  public String typeName() {
    return "flod_authorization_rule";
  }

  @Override
  public Block schema() {
    return SCHEMA;
  }

  @Override
  public void validate(Map<String, Object> config) {
    ClusterRef.check(config);
    String name = Values.string(config, "name");
    if (name != null && !name.matches("[A-Za-z0-9._-]{1,64}")) {
      throw new ProviderException(
          "Invalid name",
          "A rule's name is 1-64 letters, digits, '.', '_' or '-', not \"" + name + "\"",
          "name");
    }
    List<Object> rights = Values.list(config, "rights");
    if (rights == null || rights.stream().anyMatch(r -> !Values.known(r))) {
      return;
    }
    if (rights.isEmpty()) {
      throw new ProviderException(
          "Invalid rights", "A rule needs at least one of send, listen, manage.", "rights");
    }
    for (Object right : rights) {
      if (!RIGHTS.contains(right)) {
        throw new ProviderException(
            "Invalid rights",
            "\"" + right + "\" is not a right; use send, listen or manage.",
            "rights");
      }
    }
    if (rights.contains("manage") && !(rights.contains("send") && rights.contains("listen"))) {
      throw new ProviderException(
          "Invalid rights",
          "A rule with manage must also have send and listen (manage implies both).",
          "rights");
    }
  }

  @Override
  public Map<String, Object> create(Map<String, Object> planned) {
    FlodApi a = api.get();
    String path = rules(planned);
    String name = Values.string(planned, "name");
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("name", name);
    spec.put("rights", rights(planned));
    try {
      a.call("POST", path, spec);
    } catch (ProviderException e) {
      if (!e.isHttp(409)) {
        throw e;
      }
      // Made by an earlier, interrupted apply: adopt it with the planned rights and its keys.
      return update(observe(a, planned).orElseThrow(), planned);
    }
    return Planner.settle(planned, observe(a, planned).orElseThrow());
  }

  @Override
  public Map<String, Object> update(Map<String, Object> prior, Map<String, Object> planned) {
    FlodApi a = api.get();
    a.call(
        "PATCH",
        rules(planned) + "/" + Values.string(planned, "name"),
        Map.of("rights", rights(planned)));
    return Planner.settle(planned, observe(a, planned).orElseThrow());
  }

  @Override
  public void delete(Map<String, Object> prior) {
    api.get().deleteIfPresent(rules(prior) + "/" + Values.string(prior, "name"));
  }

  @Override
  public Optional<Map<String, Object>> read(Map<String, Object> state) {
    return observe(api.get(), state);
  }

  @Override
  public Map<String, Object> importState(String id) {
    String[] parts = id.split("/", -1);
    if (parts.length != 3 && parts.length != 4) {
      throw new ProviderException(
          "Cannot import flod_authorization_rule",
          "The id is <tenant>/<cluster>/<rule> for a cluster's rule or"
              + " <tenant>/<cluster>/<topic>/<rule> for a topic's, not \""
              + id
              + "\"");
    }
    Map<String, Object> key = new LinkedHashMap<>();
    key.put("cluster_id", parts[0] + "/" + parts[1]);
    key.put("topic", parts.length == 4 ? parts[2] : null);
    key.put("name", parts[parts.length - 1]);
    return observe(api.get(), key)
        .orElseThrow(
            () ->
                new ProviderException(
                    "Cannot import flod_authorization_rule", "No authorization rule " + id));
  }

  /** The rule named by {@code cluster_id}, {@code topic} and {@code name}, keys included. */
  private static Optional<Map<String, Object>> observe(FlodApi a, Map<String, Object> key) {
    ClusterRef cluster = ClusterRef.parse(Values.string(key, "cluster_id"));
    String topic = Values.string(key, "topic");
    String path = rules(key) + "/" + Values.string(key, "name");
    return a.find(path)
        .map(
            view -> {
              JsonNode keys = a.call("POST", path + "/listKeys", null).body();
              return fromView(cluster, topic, view, keys);
            });
  }

  private static Map<String, Object> fromView(
      ClusterRef cluster, String topic, JsonNode view, JsonNode keys) {
    Map<String, Object> state = new LinkedHashMap<>();
    String name = view.path("name").asText();
    state.put("id", cluster.id() + "/" + (topic == null ? "" : topic + "/") + name);
    state.put("cluster_id", cluster.id());
    state.put("topic", topic);
    state.put("name", name);
    List<Object> rights = new ArrayList<>();
    view.path("rights").forEach(r -> rights.add(r.asText()));
    state.put("rights", rights);
    state.put("primary_key", keys.path("primaryKey").asText());
    state.put("secondary_key", keys.path("secondaryKey").asText());
    state.put("primary_connection_string", keys.path("primaryConnectionString").asText());
    state.put("secondary_connection_string", keys.path("secondaryConnectionString").asText());
    return state;
  }

  private static String rules(Map<String, Object> state) {
    ClusterRef cluster = ClusterRef.parse(Values.string(state, "cluster_id"));
    String topic = Values.string(state, "topic");
    return (topic == null ? cluster.path() : cluster.topicPath(topic)) + "/authorizationRules";
  }

  private static List<String> rights(Map<String, Object> state) {
    List<String> rights = new ArrayList<>();
    Values.list(state, "rights").forEach(r -> rights.add((String) r));
    return List.copyOf(new TreeSet<>(rights));
  }
}
