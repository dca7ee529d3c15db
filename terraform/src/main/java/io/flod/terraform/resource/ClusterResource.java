package io.flod.terraform.resource;

import com.fasterxml.jackson.databind.JsonNode;
import io.flod.terraform.cty.CtyType;
import io.flod.terraform.schema.Attribute;
import io.flod.terraform.schema.Block;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code flod_cluster}: a Kafka-compatible cluster of a tenant. {@code node_count} and {@code
 * throughput_units} change in place (a scale operation); size, zones, update domains and broker
 * version need a new cluster. Its id is {@code <tenant>/<name>}.
 */
public final class ClusterResource implements ResourceType {
  static final Block SCHEMA =
      new Block(
          "A Flod cluster (an Event Hubs namespace): brokers on machines the control plane"
              + " provisions.",
          List.of(
              Attribute.computed("id", CtyType.STRING, "<tenant>/<name>"),
              Attribute.required("name", CtyType.STRING, "Cluster name, unique in the tenant.")
                  .forcingNew(),
              Attribute.optionalComputed(
                      "tenant", CtyType.STRING, "Tenant; the provider's tenant by default.")
                  .forcingNew(),
              Attribute.required("node_count", CtyType.NUMBER, "Broker nodes (1-100)."),
              Attribute.optionalComputed(
                      "node_size", CtyType.STRING, "small, standard or large (default small).")
                  .forcingNew(),
              Attribute.optionalComputed(
                      "zones", CtyType.list(CtyType.STRING), "Zones the nodes spread over.")
                  .forcingNew(),
              Attribute.optionalComputed(
                      "update_domains",
                      CtyType.NUMBER,
                      "Update domains the nodes spread over (1-20, default 5).")
                  .forcingNew(),
              Attribute.optionalComputed(
                  "throughput_units", CtyType.NUMBER, "Throughput units (1-40, default 1)."),
              Attribute.optionalComputed(
                      "broker_version", CtyType.STRING, "Broker version (default 4.0).")
                  .forcingNew(),
              Attribute.optionalComputed(
                      "authentication",
                      CtyType.STRING,
                      "SAS (Event Hubs' shared access signatures; the default) or None (anyone may"
                          + " connect; local development; the cluster takes no authorization rules).")
                  .forcingNew(),
              Attribute.computed(
                  "bootstrap_servers", CtyType.STRING, "Where Kafka clients connect."),
              Attribute.computed(
                  "state", CtyType.STRING, "Provisioning, Ready, Scaling, Degraded or Failed.")),
          Map.of("timeouts", Timeouts.BLOCK));

  private final Supplier<FlodApi> api;

  public ClusterResource(Supplier<FlodApi> api) {
    this.api = api;
  }

  @Override
  public String typeName() {
    return "flod_cluster";
  }

  @Override
  public Block schema() {
    return SCHEMA;
  }

  @Override
  public Map<String, Object> defaults() {
    return Map.of(
        "node_size",
        "small",
        "zones",
        List.of("default"),
        "update_domains",
        Values.number(5),
        "throughput_units",
        Values.number(1),
        "broker_version",
        "4.0",
        "authentication",
        "SAS");
  }

  @Override
  public void validate(Map<String, Object> config) {
    Integer nodes = Values.integer(config, "node_count");
    if (nodes != null && (nodes < 1 || nodes > 100)) {
      throw new ProviderException(
          "Invalid node_count", "node_count must be between 1 and 100, not " + nodes, "node_count");
    }
    Integer updateDomains = Values.integer(config, "update_domains");
    if (updateDomains != null && (updateDomains < 1 || updateDomains > 20)) {
      throw new ProviderException(
          "Invalid update_domains",
          "update_domains must be between 1 and 20, not " + updateDomains,
          "update_domains");
    }
    String authentication = Values.string(config, "authentication");
    if (authentication != null && !authentication.matches("None|SAS")) {
      throw new ProviderException(
          "Invalid authentication", "authentication must be None or SAS.", "authentication");
    }
    String size = Values.string(config, "node_size");
    if (size != null && !size.matches("small|standard|large")) {
      throw new ProviderException(
          "Invalid node_size", "node_size must be small, standard or large.", "node_size");
    }
  }

  @Override
  public List<String> changedByUpdate(Map<String, Object> prior, Map<String, Object> planned) {
    boolean scaled =
        !Planner.same(prior.get("node_count"), planned.get("node_count"))
            || !Planner.same(prior.get("throughput_units"), planned.get("throughput_units"));
    return scaled ? List.of("bootstrap_servers", "state") : List.of();
  }

  @Override
  public Map<String, Object> create(Map<String, Object> planned) {
    FlodApi a = api.get();
    String tenant = tenantOf(planned, a);
    String name = Values.string(planned, "name");
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("name", name);
    spec.put("nodeCount", Values.integer(planned, "node_count"));
    spec.put("nodeSize", Values.string(planned, "node_size"));
    spec.put("zones", Values.list(planned, "zones"));
    spec.put("updateDomains", Values.integer(planned, "update_domains"));
    spec.put("throughputUnits", Values.integer(planned, "throughput_units"));
    spec.put("brokerVersion", Values.string(planned, "broker_version"));
    spec.put("authentication", Values.string(planned, "authentication"));
    Duration timeout = Values.timeout(planned, "create", Timeouts.DEFAULT);
    String path = "/v1/tenants/" + tenant + "/clusters";
    try {
      String location = a.call("POST", path, spec).location();
      a.awaitOperation(location, timeout, "Creating cluster " + name);
    } catch (ProviderException e) {
      if (!e.isHttp(409)) {
        throw e;
      }
      // Made by an earlier apply that timed out or was interrupted: adopt it and wait for it.
      awaitSettled(a, new ClusterRef(tenant, name).path(), timeout, name);
    }
    return Planner.settle(planned, observe(a, tenant, name).orElseThrow());
  }

  @Override
  public Map<String, Object> update(Map<String, Object> prior, Map<String, Object> planned) {
    FlodApi a = api.get();
    String tenant = tenantOf(planned, a);
    String name = Values.string(planned, "name");
    Map<String, Object> patch = new LinkedHashMap<>();
    patch.put("nodeCount", Values.integer(planned, "node_count"));
    patch.put("throughputUnits", Values.integer(planned, "throughput_units"));
    Duration timeout = Values.timeout(planned, "update", Timeouts.DEFAULT);
    String location = a.call("PATCH", new ClusterRef(tenant, name).path(), patch).location();
    if (location != null) {
      a.awaitOperation(location, timeout, "Scaling cluster " + name);
    }
    return Planner.settle(planned, observe(a, tenant, name).orElseThrow());
  }

  @Override
  public void delete(Map<String, Object> prior) {
    FlodApi a = api.get();
    String tenant = tenantOf(prior, a);
    String name = Values.string(prior, "name");
    String location = a.deleteIfPresent(new ClusterRef(tenant, name).path());
    if (location != null) {
      a.awaitOperation(
          location, Values.timeout(prior, "delete", Timeouts.DEFAULT), "Deleting cluster " + name);
    }
  }

  @Override
  public Optional<Map<String, Object>> read(Map<String, Object> state) {
    FlodApi a = api.get();
    return observe(a, tenantOf(state, a), Values.string(state, "name"))
        .map(
            observed -> {
              Map<String, Object> result = new LinkedHashMap<>(state);
              result.putAll(observed);
              return result;
            });
  }

  @Override
  public Map<String, Object> importState(String id) {
    FlodApi a = api.get();
    String[] parts = id.split("/");
    String tenant = parts.length == 2 ? parts[0] : a.tenant();
    String name = parts[parts.length - 1];
    Map<String, Object> state =
        observe(a, tenant, name)
            .orElseThrow(
                () ->
                    new ProviderException(
                        "Cannot import flod_cluster", "No cluster " + name + " in " + tenant));
    state.put("timeouts", null);
    return state;
  }

  static Optional<Map<String, Object>> observe(FlodApi a, String tenant, String name) {
    return a.find(new ClusterRef(tenant, name).path()).map(view -> fromView(tenant, view));
  }

  static Map<String, Object> fromView(String tenant, JsonNode view) {
    JsonNode spec = view.path("spec");
    Map<String, Object> state = new LinkedHashMap<>();
    state.put("id", tenant + "/" + view.path("name").asText());
    state.put("name", view.path("name").asText());
    state.put("tenant", tenant);
    state.put("node_count", Values.number(spec.path("nodeCount").asLong()));
    state.put("node_size", spec.path("nodeSize").asText());
    List<Object> zones = new ArrayList<>();
    spec.path("zones").forEach(z -> zones.add(z.asText()));
    state.put("zones", zones);
    state.put("update_domains", Values.number(spec.path("updateDomains").asLong()));
    state.put("throughput_units", Values.number(spec.path("throughputUnits").asLong()));
    state.put("broker_version", spec.path("brokerVersion").asText());
    state.put("authentication", spec.path("authentication").asText("None"));
    state.put("bootstrap_servers", view.path("status").path("bootstrapServers").asText(""));
    state.put("state", view.path("status").path("state").asText());
    return state;
  }

  private static void awaitSettled(FlodApi a, String path, Duration timeout, String name) {
    a.await(
        "Creating cluster " + name,
        timeout,
        () -> {
          String state = a.call("GET", path, null).body().path("status").path("state").asText();
          if (state.equals("Failed")) {
            throw new ProviderException("Cluster " + name + " failed", "The cluster is Failed.");
          }
          return state.equals("Ready") || state.equals("Degraded")
              ? null
              : "Cluster " + name + " is still " + state;
        });
  }

  static String tenantOf(Map<String, Object> state, FlodApi a) {
    String tenant = Values.string(state, "tenant");
    return tenant != null ? tenant : a.tenant();
  }
}
