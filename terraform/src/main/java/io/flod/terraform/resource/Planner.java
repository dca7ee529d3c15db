package io.flod.terraform.resource;

import io.flod.terraform.cty.Unknown;
import io.flod.terraform.schema.Attribute;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The rules Terraform holds every provider to, applied once for all resource types: a create marks
 * computed attributes the configuration left out as unknown; a change to a {@link
 * Attribute#forceNew()} attribute asks for a replacement (and nothing else does); an in-place
 * update keeps configured values and marks unknown only the computed ones the type says will
 * change; a delete plans null. Apply results keep every value the plan knew.
 */
public final class Planner {
  private Planner() {}

  /** A planned state (null for a delete) and the attributes whose change forces a replacement. */
  public record Plan(Map<String, Object> planned, List<String> requiresReplace) {}

  public static Plan plan(
      ResourceType type,
      Map<String, Object> prior,
      Map<String, Object> proposed,
      Map<String, Object> config) {
    if (proposed == null) {
      return new Plan(null, List.of());
    }
    Map<String, Object> planned = new LinkedHashMap<>(proposed);
    List<String> replace = new ArrayList<>();
    if (prior != null) {
      for (Attribute a : type.schema().attributes()) {
        Object after = planned.get(a.name());
        if (a.forceNew() && Values.known(after) && !same(prior.get(a.name()), after)) {
          replace.add(a.name());
        }
      }
    }
    if (prior == null || !replace.isEmpty()) {
      for (Attribute a : type.schema().attributes()) {
        if (a.computed() && config.get(a.name()) == null) {
          planned.put(a.name(), type.defaults().getOrDefault(a.name(), Unknown.VALUE));
        }
      }
    } else {
      type.checkUpdate(prior, planned);
      for (String name : type.changedByUpdate(prior, planned)) {
        if (config.get(name) == null) {
          planned.put(name, Unknown.VALUE);
        }
      }
    }
    return new Plan(planned, replace);
  }

  /** The applied state: what the API reports, with every value the plan knew kept as planned. */
  public static Map<String, Object> settle(
      Map<String, Object> planned, Map<String, Object> observed) {
    Map<String, Object> result = new LinkedHashMap<>(observed);
    planned.forEach(
        (name, value) -> {
          if (Values.known(value) && (value != null || !result.containsKey(name))) {
            result.put(name, value);
          }
        });
    result.replaceAll((name, value) -> value == Unknown.VALUE ? null : value);
    return result;
  }

  /** Equality of values, with numbers compared by value (3 equals 3.0). */
  public static boolean same(Object a, Object b) {
    if (a instanceof BigDecimal x && b instanceof BigDecimal y) {
      return x.compareTo(y) == 0;
    }
    if (a instanceof List<?> x && b instanceof List<?> y) {
      if (x.size() != y.size()) {
        return false;
      }
      for (int i = 0; i < x.size(); i++) {
        if (!same(x.get(i), y.get(i))) {
          return false;
        }
      }
      return true;
    }
    if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
      if (!x.keySet().equals(y.keySet())) {
        return false;
      }
      return x.keySet().stream().allMatch(k -> same(x.get(k), y.get(k)));
    }
    return Objects.equals(a, b);
  }
}
