package io.flod.terraform.resource;

import io.flod.terraform.cty.CtyType;
import io.flod.terraform.schema.Attribute;
import io.flod.terraform.schema.Block;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Data source {@code flod_cluster}: an existing cluster by name. */
public final class ClusterDataSource implements DataSourceType {
  private static final Block SCHEMA;

  static {
    List<Attribute> attributes = new ArrayList<>();
    for (Attribute a : ClusterResource.SCHEMA.attributes()) {
      if (a.name().equals("name")) {
        attributes.add(Attribute.required("name", CtyType.STRING, a.description()));
      } else if (a.name().equals("tenant")) {
        attributes.add(Attribute.optionalComputed("tenant", CtyType.STRING, a.description()));
      } else {
        attributes.add(Attribute.computed(a.name(), a.type(), a.description()));
      }
    }
    SCHEMA = new Block("An existing Flod cluster.", attributes);
  }

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
