package io.flod.terraform.resource;

import com.fasterxml.jackson.databind.JsonNode;
import io.flod.terraform.cty.CtyType;
import io.flod.terraform.schema.Attribute;
import io.flod.terraform.schema.Block;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code flod_topic}: a topic (event hub) of a cluster. Partitions grow in place and never shrink
 * (refused when planning); retention and the config keys {@code min.insync.replicas} and {@code
 * max.message.bytes} change in place; the replication factor needs a new topic. Its id is {@code
 * <tenant>/<cluster>/<name>}.
 */
public final class TopicResource implements ResourceType {
  /** The config keys a topic takes, with the values the API gives a topic that leaves them out. */
  static final Map<String, String> CONFIG_DEFAULTS =
      Map.of(
          "min.insync.replicas", "1", "cleanup.policy", "delete", "max.message.bytes", "1048576");

  static final Set<String> CONFIG_KEYS = CONFIG_DEFAULTS.keySet();
  static final Block SCHEMA =
      new Block(
          "A topic (event hub) of a Flod cluster.",
          List.of(
              Attribute.computed("id", CtyType.STRING, "<tenant>/<cluster>/<name>"),
              Attribute.required("cluster_id", CtyType.STRING, "The flod_cluster's id.")
                  .forcingNew(),
              Attribute.required("name", CtyType.STRING, "Topic name.").forcingNew(),
              Attribute.optionalComputed(
                  "partitions", CtyType.NUMBER, "1-1024 (default 4); grows, never shrinks."),
              Attribute.optionalComputed(
                      "replication_factor", CtyType.NUMBER, "Copies of each partition.")
                  .forcingNew(),
              Attribute.optionalComputed(
                  "retention_hours", CtyType.NUMBER, "How long records are kept."),
              Attribute.optional(
                  "config",
                  CtyType.map(CtyType.STRING),
                  "min.insync.replicas, cleanup.policy (delete or compact), max.message.bytes.")));

  private final Supplier<FlodApi> api;

  public TopicResource(Supplier<FlodApi> api) {
    this.api = api;
  }

  @Override
  public String typeName() {
    return "flod_topic";
  }

  @Override
  public Block schema() {
    return SCHEMA;
  }

  @Override
  public void validate(Map<String, Object> config) {
    Integer partitions = Values.integer(config, "partitions");
    if (partitions != null && (partitions < 1 || partitions > 1024)) {
      throw new ProviderException(
          "Invalid partitions",
          "partitions must be between 1 and 1024, not " + partitions,
          "partitions");
    }
    ClusterRef.check(config);
    Map<String, Object> settings = Values.object(config, "config");
    if (settings != null) {
      for (String key : settings.keySet()) {
        if (!CONFIG_KEYS.contains(key)) {
          throw new ProviderException(
              "Unsupported topic config",
              "\"" + key + "\" is not one of " + CONFIG_KEYS.stream().sorted().toList(),
              "config");
        }
      }
    }
  }

  @Override
  public void checkUpdate(Map<String, Object> prior, Map<String, Object> planned) {
    Object before = prior.get("partitions");
    Object after = planned.get("partitions");
    if (before instanceof BigDecimal b && after instanceof BigDecimal a && a.compareTo(b) < 0) {
      throw new ProviderException(
          "Partitions cannot shrink",
          "Topic "
              + Values.string(prior, "name")
              + " has "
              + b
              + " partitions; a partition count may grow but never shrink (records are placed"
              + " by key over the partitions, and removing one would lose or reorder them).",
          "partitions");
    }
    String policyBefore = setting(prior, "cleanup.policy");
    String policyAfter = setting(planned, "cleanup.policy");
    if (policyAfter != null && !policyAfter.equals(policyBefore)) {
      throw new ProviderException(
          "cleanup.policy cannot change in place",
          "Changing cleanup.policy needs a new topic: rename it or remove and re-create it.",
          "config");
    }
  }

  @Override
  public Map<String, Object> create(Map<String, Object> planned) {
    FlodApi a = api.get();
    ClusterRef cluster = ClusterRef.parse(Values.string(planned, "cluster_id"));
    String name = Values.string(planned, "name");
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("name", name);
    spec.put("partitions", Values.integer(planned, "partitions"));
    spec.put("replicationFactor", Values.integer(planned, "replication_factor"));
    spec.put("retentionHours", Values.integer(planned, "retention_hours"));
    spec.put("minInsyncReplicas", intSetting(planned, "min.insync.replicas"));
    spec.put("cleanupPolicy", setting(planned, "cleanup.policy"));
    spec.put("maxMessageBytes", intSetting(planned, "max.message.bytes"));
    try {
      a.call("POST", topics(cluster), spec);
    } catch (ProviderException e) {
      if (!e.isHttp(409)) {
        throw e;
      }
      // An earlier, interrupted apply made it: adopt it (the plan's values are applied below).
      return update(observe(a, cluster, name).orElseThrow(), planned);
    }
    return Planner.settle(planned, observe(a, cluster, name).orElseThrow());
  }

  @Override
  public Map<String, Object> update(Map<String, Object> prior, Map<String, Object> planned) {
    FlodApi a = api.get();
    ClusterRef cluster = ClusterRef.parse(Values.string(planned, "cluster_id"));
    String name = Values.string(planned, "name");
    Map<String, Object> patch = new LinkedHashMap<>();
    patch.put("partitions", Values.integer(planned, "partitions"));
    patch.put("retentionHours", Values.integer(planned, "retention_hours"));
    patch.put("minInsyncReplicas", intSetting(planned, "min.insync.replicas"));
    patch.put("maxMessageBytes", intSetting(planned, "max.message.bytes"));
    a.call("PATCH", topics(cluster) + "/" + name, patch);
    return Planner.settle(planned, observe(a, cluster, name).orElseThrow());
  }

  @Override
  public void delete(Map<String, Object> prior) {
    FlodApi a = api.get();
    ClusterRef cluster = ClusterRef.parse(Values.string(prior, "cluster_id"));
    a.deleteIfPresent(topics(cluster) + "/" + Values.string(prior, "name"));
  }

  @Override
  public Optional<Map<String, Object>> read(Map<String, Object> state) {
    FlodApi a = api.get();
    ClusterRef cluster = ClusterRef.parse(Values.string(state, "cluster_id"));
    return observe(a, cluster, Values.string(state, "name"))
        .map(
            observed -> {
              Map<String, Object> result = new LinkedHashMap<>(state);
              result.putAll(observed);
              result.put("config", configured(state, observed));
              return result;
            });
  }

  @Override
  public Map<String, Object> importState(String id) {
    String[] parts = id.split("/");
    if (parts.length != 3) {
      throw new ProviderException(
          "Cannot import flod_topic", "The id is <tenant>/<cluster>/<topic>, not \"" + id + "\"");
    }
    Map<String, Object> state =
        observe(api.get(), new ClusterRef(parts[0], parts[1]), parts[2])
            .orElseThrow(() -> new ProviderException("Cannot import flod_topic", "No topic " + id));
    state.put("config", nonDefault(Values.object(state, "all_config")));
    return state;
  }

  /**
   * What an import puts in {@code config}: the settings that differ from the defaults, which is
   * what a configuration names, so that a plan after an import is clean. Null when none differ.
   */
  private static Map<String, Object> nonDefault(Map<String, Object> all) {
    Map<String, Object> result = new LinkedHashMap<>();
    all.forEach(
        (k, v) -> {
          if (!CONFIG_DEFAULTS.get(k).equals(v)) {
            result.put(k, v);
          }
        });
    return result.isEmpty() ? null : result;
  }

  /** Config keys the state holds, refreshed from the API; keys never configured stay out. */
  private static Map<String, Object> configured(
      Map<String, Object> state, Map<String, Object> observed) {
    Map<String, Object> before = Values.object(state, "config");
    if (before == null) {
      return null;
    }
    Map<String, Object> all = Values.object(observed, "all_config");
    Map<String, Object> result = new LinkedHashMap<>();
    before.keySet().forEach(k -> result.put(k, all.get(k)));
    return result;
  }

  private static Optional<Map<String, Object>> observe(FlodApi a, ClusterRef cluster, String name) {
    return a.find(cluster.topicPath(name)).map(view -> fromView(cluster, view));
  }

  static Map<String, Object> fromView(ClusterRef cluster, JsonNode view) {
    Map<String, Object> state = new LinkedHashMap<>();
    String name = view.path("name").asText();
    state.put("id", cluster.id() + "/" + name);
    state.put("cluster_id", cluster.id());
    state.put("name", name);
    state.put("partitions", Values.number(view.path("partitions").asLong()));
    state.put("replication_factor", Values.number(view.path("replicationFactor").asLong()));
    state.put("retention_hours", Values.number(view.path("retentionHours").asLong()));
    Map<String, Object> all = new LinkedHashMap<>();
    all.put("min.insync.replicas", view.path("minInsyncReplicas").asText());
    all.put("cleanup.policy", view.path("cleanupPolicy").asText());
    all.put("max.message.bytes", view.path("maxMessageBytes").asText());
    state.put("all_config", all);
    state.put("config", null);
    return state;
  }

  private static String topics(ClusterRef cluster) {
    return cluster.path() + "/topics";
  }

  private static String setting(Map<String, Object> state, String key) {
    Map<String, Object> config = Values.object(state, "config");
    return config == null ? null : (String) config.get(key);
  }

  private static Integer intSetting(Map<String, Object> state, String key) {
    String value = setting(state, key);
    if (value == null) {
      return null;
    }
    try {
      return Integer.valueOf(value);
    } catch (NumberFormatException e) {
      throw new ProviderException(
          "Invalid topic config", key + " must be a whole number, not \"" + value + "\"", "config");
    }
  }
}
