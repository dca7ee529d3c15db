package io.flod.terraform.resource;

import io.flod.terraform.schema.Block;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/** Data source {@code flod_topic}: an existing topic of a cluster, with all its settings. */
public final class TopicDataSource implements DataSourceType {
  private static final Block SCHEMA =
      Block.readOnlyView(
          "An existing topic of a Flod cluster; config holds all its settings.",
          TopicResource.SCHEMA,
          Set.of("cluster_id", "name"),
          Set.of());

  private final Supplier<FlodApi> api;

  public TopicDataSource(Supplier<FlodApi> api) {
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
  public Map<String, Object> read(Map<String, Object> config) {
    FlodApi a = api.get();
    String clusterId = Values.string(config, "cluster_id");
    ClusterRef cluster = ClusterRef.parse(clusterId);
    String name = Values.string(config, "name");
    Map<String, Object> state =
        a.find(cluster.topicPath(name))
            .map(view -> TopicResource.fromView(cluster, view))
            .orElseThrow(
                () ->
                    new ProviderException(
                        "No such topic", "Cluster " + clusterId + " has no topic " + name, "name"));
    Map<String, Object> result = new LinkedHashMap<>(state);
    result.put("config", state.get("all_config"));
    return result;
  }
}
