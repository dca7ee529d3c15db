package io.flod.terraform.resource;

import io.flod.terraform.cty.CtyType;
import io.flod.terraform.schema.Attribute;
import io.flod.terraform.schema.Block;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Data source {@code flod_topic}: an existing topic of a cluster, with all its settings. */
public final class TopicDataSource implements DataSourceType {
  private static final Block SCHEMA =
      new Block(
          "An existing topic of a Flod cluster.",
          List.of(
              Attribute.required("cluster_id", CtyType.STRING, "The cluster's id."),
              Attribute.required("name", CtyType.STRING, "Topic name."),
              Attribute.computed("id", CtyType.STRING, "<tenant>/<cluster>/<name>"),
              Attribute.computed("partitions", CtyType.NUMBER, "Partition count."),
              Attribute.computed("replication_factor", CtyType.NUMBER, "Copies."),
              Attribute.computed("retention_hours", CtyType.NUMBER, "Retention."),
              Attribute.computed("config", CtyType.map(CtyType.STRING), "Topic settings.")));

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
    String[] cluster = clusterId.split("/");
    if (cluster.length != 2) {
      throw new ProviderException(
          "Invalid cluster_id", "cluster_id is <tenant>/<cluster>", "cluster_id");
    }
    String name = Values.string(config, "name");
    Map<String, Object> state =
        a.find(a.clusterPath(cluster[0], cluster[1]) + "/topics/" + name)
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
