package io.flod.terraform.schema;

import io.flod.terraform.cty.CtyType;

/**
 * One attribute of a resource, data source or provider block.
 *
 * @param forceNew a change cannot be applied in place: the plan asks for a replacement
 */
public record Attribute(
    String name, CtyType type, Mode mode, boolean sensitive, boolean forceNew, String description) {

  /** Who sets the attribute: the configuration, the provider, or either. */
  public enum Mode {
    REQUIRED,
    OPTIONAL,
    COMPUTED,
    OPTIONAL_COMPUTED
  }

  public static Attribute required(String name, CtyType type, String description) {
    return new Attribute(name, type, Mode.REQUIRED, false, false, description);
  }

  public static Attribute optional(String name, CtyType type, String description) {
    return new Attribute(name, type, Mode.OPTIONAL, false, false, description);
  }

  public static Attribute computed(String name, CtyType type, String description) {
    return new Attribute(name, type, Mode.COMPUTED, false, false, description);
  }

  /** Optional in configuration; when left out, the provider (the API's default) decides. */
  public static Attribute optionalComputed(String name, CtyType type, String description) {
    return new Attribute(name, type, Mode.OPTIONAL_COMPUTED, false, false, description);
  }

  public Attribute forcingNew() {
    return new Attribute(name, type, mode, sensitive, true, description);
  }

  public Attribute asSensitive() {
    return new Attribute(name, type, mode, true, forceNew, description);
  }

  public boolean computed() {
    return mode == Mode.COMPUTED || mode == Mode.OPTIONAL_COMPUTED;
  }
}
