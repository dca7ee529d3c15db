package io.flod.terraform.resource;

import io.flod.terraform.schema.Block;
import java.util.Map;

/** A data source: reads an existing object named by its configuration. */
public interface DataSourceType {
  String typeName();

  Block schema();

  Map<String, Object> read(Map<String, Object> config);
}
