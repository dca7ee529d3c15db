package io.flod.terraform.cty;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.TreeMap;

/**
 * A Terraform value type (go-cty's type system): the shape that decides how a value is encoded. Its
 * JSON form is the compact type constraint Terraform reads from a schema: {@code "string"}, {@code
 * ["list","string"]}, {@code ["object",{"a":"number"}]}.
 */
public sealed interface CtyType {
  CtyType STRING = new Primitive("string");
  CtyType NUMBER = new Primitive("number");
  CtyType BOOL = new Primitive("bool");

  static CtyType list(CtyType element) {
    return new Collection("list", element);
  }

  static CtyType set(CtyType element) {
    return new Collection("set", element);
  }

  static CtyType map(CtyType element) {
    return new Collection("map", element);
  }

  /** The type constraint as Terraform's schema carries it. */
  JsonNode toJson();

  /** string, number or bool. */
  record Primitive(String name) implements CtyType {
    @Override
    public JsonNode toJson() {
      return JsonNodeFactory.instance.textNode(name);
    }
  }

  /** list, set or map of one element type. */
  record Collection(String kind, CtyType element) implements CtyType {
    @Override
    public JsonNode toJson() {
      ArrayNode array = JsonNodeFactory.instance.arrayNode();
      array.add(kind);
      array.add(element.toJson());
      return array;
    }
  }

  /** An object with named attributes (a block, or an object-typed attribute). */
  record ObjectType(Map<String, CtyType> attributes) implements CtyType {
    public ObjectType {
      attributes = new TreeMap<>(attributes); // cty writes attributes in name order
    }

    @Override
    public JsonNode toJson() {
      ArrayNode array = JsonNodeFactory.instance.arrayNode();
      array.add("object");
      ObjectNode attrs = array.addObject();
      attributes.forEach((name, type) -> attrs.set(name, type.toJson()));
      return array;
    }
  }
}
