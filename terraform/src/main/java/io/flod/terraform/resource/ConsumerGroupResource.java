package io.flod.terraform.resource;

import com.fasterxml.jackson.databind.JsonNode;
import io.flod.terraform.cty.CtyType;
import io.flod.terraform.schema.Attribute;
import io.flod.terraform.schema.Block;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code flod_consumer_group}: a named consumer group of a topic, as Event Hubs has them. Its user
 * metadata changes in place; the group's committed positions live in the brokers and are not part
 * of the resource. {@code $Default} exists on every topic and is not managed. Its id is {@code
 * <tenant>/<cluster>/<topic>/<name>}.
 */
public final class ConsumerGroupResource implements ResourceType {
  static final String DEFAULT_GROUP = "$Default";
  static final Block SCHEMA =
      new Block(
          "A consumer group of a topic (event hub).",
          List.of(
              Attribute.computed("id", CtyType.STRING, "<tenant>/<cluster>/<topic>/<name>"),
              Attribute.required("cluster_id", CtyType.STRING, "The flod_cluster's id.")
                  .forcingNew(),
              Attribute.required("topic", CtyType.STRING, "The topic's name.").forcingNew(),
              Attribute.required("name", CtyType.STRING, "Group name (1-255 of A-Za-z0-9._-).")
                  .forcingNew(),
              Attribute.optional(
                  "user_metadata", CtyType.STRING, "Free text kept with the group (≤ 1024).")));

  private final Supplier<FlodApi> api;

  public ConsumerGroupResource(Supplier<FlodApi> api) {
    this.api = api;
  }

  @Override
  public String typeName() {
    return "flod_consumer_group";
  }

  @Override
  public Block schema() {
    return SCHEMA;
  }

  @Override
  public void validate(Map<String, Object> config) {
    ClusterRef.check(config);
    String name = Values.string(config, "name");
    if (DEFAULT_GROUP.equals(name)) {
      throw new ProviderException(
          "$Default is not managed",
          "Every topic has the consumer group $Default; it cannot be created or deleted.",
          "name");
    }
    if (name != null && !name.matches("[A-Za-z0-9._-]{1,255}")) {
      throw new ProviderException(
          "Invalid name",
          "A consumer group's name is 1-255 letters, digits, '.', '_' or '-', not \"" + name + "\"",
          "name");
    }
    String metadata = Values.string(config, "user_metadata");
    if (metadata != null && metadata.length() > 1024) {
      throw new ProviderException(
          "Invalid user_metadata",
          "user_metadata holds at most 1024 characters, not " + metadata.length(),
          "user_metadata");
    }
  }

  @Override
  public Map<String, Object> create(Map<String, Object> planned) {
    FlodApi a = api.get();
    ClusterRef cluster = ClusterRef.parse(Values.string(planned, "cluster_id"));
    String topic = Values.string(planned, "topic");
    String name = Values.string(planned, "name");
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("name", name);
    spec.put("userMetadata", Values.string(planned, "user_metadata"));
    try {
      a.call("POST", groups(cluster, topic), spec);
    } catch (ProviderException e) {
      // 409 is also the answer when the topic has no room for another group: adopt only a group
      // that is really there (made by an earlier, interrupted apply).
      Optional<Map<String, Object>> existing =
          e.isHttp(409) ? observe(a, cluster, topic, name) : Optional.empty();
      if (existing.isEmpty()) {
        throw e;
      }
      return update(existing.get(), planned);
    }
    return Planner.settle(planned, observe(a, cluster, topic, name).orElseThrow());
  }

  @Override
  public Map<String, Object> update(Map<String, Object> prior, Map<String, Object> planned) {
    FlodApi a = api.get();
    ClusterRef cluster = ClusterRef.parse(Values.string(planned, "cluster_id"));
    String topic = Values.string(planned, "topic");
    String name = Values.string(planned, "name");
    Map<String, Object> patch = new LinkedHashMap<>();
    patch.put("userMetadata", Values.string(planned, "user_metadata"));
    a.call("PATCH", groups(cluster, topic) + "/" + name, patch);
    return Planner.settle(planned, observe(a, cluster, topic, name).orElseThrow());
  }

  @Override
  public void delete(Map<String, Object> prior) {
    ClusterRef cluster = ClusterRef.parse(Values.string(prior, "cluster_id"));
    api.get()
        .deleteIfPresent(
            groups(cluster, Values.string(prior, "topic")) + "/" + Values.string(prior, "name"));
  }

  @Override
  public Optional<Map<String, Object>> read(Map<String, Object> state) {
    ClusterRef cluster = ClusterRef.parse(Values.string(state, "cluster_id"));
    return observe(api.get(), cluster, Values.string(state, "topic"), Values.string(state, "name"));
  }

  @Override
  public Map<String, Object> importState(String id) {
    String[] parts = id.split("/", -1);
    if (parts.length != 4) {
      throw new ProviderException(
          "Cannot import flod_consumer_group",
          "The id is <tenant>/<cluster>/<topic>/<group>, not \"" + id + "\"");
    }
    return observe(api.get(), new ClusterRef(parts[0], parts[1]), parts[2], parts[3])
        .orElseThrow(
            () ->
                new ProviderException(
                    "Cannot import flod_consumer_group", "No consumer group " + id));
  }

  private static Optional<Map<String, Object>> observe(
      FlodApi a, ClusterRef cluster, String topic, String name) {
    return a.find(groups(cluster, topic) + "/" + name).map(view -> fromView(cluster, topic, view));
  }

  private static Map<String, Object> fromView(ClusterRef cluster, String topic, JsonNode view) {
    Map<String, Object> state = new LinkedHashMap<>();
    String name = view.path("name").asText();
    state.put("id", cluster.id() + "/" + topic + "/" + name);
    state.put("cluster_id", cluster.id());
    state.put("topic", topic);
    state.put("name", name);
    JsonNode metadata = view.path("userMetadata");
    state.put("user_metadata", metadata.isTextual() ? metadata.asText() : null);
    return state;
  }

  private static String groups(ClusterRef cluster, String topic) {
    return cluster.topicPath(topic) + "/consumerGroups";
  }
}
