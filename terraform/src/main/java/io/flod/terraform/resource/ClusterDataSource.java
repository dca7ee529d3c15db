package io.flod.terraform.resource;

import io.flod.terraform.schema.Block;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/** Data source {@code flod_cluster}: an existing cluster by name. */
public final class ClusterDataSource implements DataSourceType {
  private static final Block SCHEMA =
      Block.readOnlyView(
          "An existing Flod cluster.", ClusterResource.SCHEMA, Set.of("name"), Set.of("tenant"));

  private final Supplier<FlodApi> api;

  public ClusterDataSource(Supplier<FlodApi> api) {
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
  public Map<String, Object> read(Map<String, Object> config) {
    FlodApi a = api.get();
    String tenant = ClusterResource.tenantOf(config, a);
    String name = Values.string(config, "name");
    return ClusterResource.observe(a, tenant, name)
        .orElseThrow(
            () ->
                new ProviderException(
                    "No such cluster", "Tenant " + tenant + " has no cluster " + name, "name"));
  }
}
