package io.flod.terraform.cty;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Values from Terraform's JSON form (a stored state, or a DynamicValue sent as JSON): the same
 * shapes as msgpack, never unknown. Attributes the current type lacks are dropped, missing ones are
 * null: a state written by an older schema upgrades to the current one.
 */
public final class JsonValues {
  private JsonValues() {}

  public static Object decode(CtyType type, JsonNode json) {
    if (json == null || json.isNull() || json.isMissingNode()) {
      return null;
    }
    if (type.equals(CtyType.STRING)) {
      return json.asText();
    }
    if (type.equals(CtyType.BOOL)) {
      return json.asBoolean();
    }
    if (type.equals(CtyType.NUMBER)) {
      return json.isTextual() ? new java.math.BigDecimal(json.asText()) : json.decimalValue();
    }
    if (type instanceof CtyType.Collection c && c.kind().equals("map")) {
      Map<String, Object> map = new LinkedHashMap<>();
      json.fields().forEachRemaining(e -> map.put(e.getKey(), decode(c.element(), e.getValue())));
      return map;
    }
    if (type instanceof CtyType.Collection c) {
      List<Object> list = new ArrayList<>();
      json.forEach(element -> list.add(decode(c.element(), element)));
      return list;
    }
    CtyType.ObjectType o = (CtyType.ObjectType) type;
    Map<String, Object> object = new LinkedHashMap<>();
    o.attributes().forEach((name, attr) -> object.put(name, decode(attr, json.get(name))));
    return object;
  }
}
