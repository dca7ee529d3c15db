package io.flod.terraform.resource;

import io.flod.terraform.schema.Block;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A managed resource type: its schema and the four things Terraform asks of it. Values are decoded
 * objects (see {@link io.flod.terraform.cty.Unknown}); every method reports a user's problem by
 * throwing {@link ProviderException}.
 */
public interface ResourceType {
  String typeName();

  Block schema();

  /** Values the provider plans for optional attributes the configuration leaves out. */
  default Map<String, Object> defaults() {
    return Map.of();
  }

  /** Checks a configuration that may still hold unknown values. */
  default void validate(Map<String, Object> config) {}

  /**
   * Computed attributes that an in-place update changes (they become unknown in the plan), given
   * the prior state and the planned one.
   */
  default List<String> changedByUpdate(Map<String, Object> prior, Map<String, Object> planned) {
    return List.of();
  }

  /** Refuses a planned in-place change that the API cannot make (for example a shrink). */
  default void checkUpdate(Map<String, Object> prior, Map<String, Object> planned) {}

  Map<String, Object> create(Map<String, Object> planned);

  Map<String, Object> update(Map<String, Object> prior, Map<String, Object> planned);

  void delete(Map<String, Object> prior);

  /** The object as it is now, or empty when it is gone. */
  Optional<Map<String, Object>> read(Map<String, Object> state);

  /** The state of an existing object found by its import id. */
  Map<String, Object> importState(String id);
}
