package io.flod.terraform.schema;

import com.google.protobuf.ByteString;
import io.flod.terraform.cty.CtyType;
import io.flod.terraform.protocol.tfplugin6.Tfplugin6;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The schema of a configuration block: attributes and nested blocks (single-instance, like {@code
 * timeouts}), with the object type its values have on the wire.
 */
public record Block(String description, List<Attribute> attributes, Map<String, Block> blocks) {

  public Block(String description, List<Attribute> attributes) {
    this(description, attributes, Map.of());
  }

  /**
   * The schema of a data source reading what {@code resource} manages: the attributes named in
   * {@code required} and {@code optional} come from the configuration, every other one is computed;
   * nested blocks (such as timeouts) are left out.
   */
  public static Block readOnlyView(
      String description,
      Block resource,
      java.util.Set<String> required,
      java.util.Set<String> optional) {
    List<Attribute> attributes = new java.util.ArrayList<>();
    for (Attribute a : resource.attributes()) {
      if (required.contains(a.name())) {
        attributes.add(Attribute.required(a.name(), a.type(), a.description()));
      } else if (optional.contains(a.name())) {
        attributes.add(Attribute.optionalComputed(a.name(), a.type(), a.description()));
      } else {
        attributes.add(Attribute.computed(a.name(), a.type(), a.description()));
      }
    }
    return new Block(description, attributes);
  }

  public CtyType.ObjectType type() {
    Map<String, CtyType> types = new LinkedHashMap<>();
    attributes.forEach(a -> types.put(a.name(), a.type()));
    blocks.forEach((name, block) -> types.put(name, block.type()));
    return new CtyType.ObjectType(types);
  }

  public Attribute attribute(String name) {
    return attributes.stream().filter(a -> a.name().equals(name)).findFirst().orElse(null);
  }

  public Tfplugin6.Schema toProto(long version) {
    return Tfplugin6.Schema.newBuilder().setVersion(version).setBlock(blockProto()).build();
  }

  private Tfplugin6.Schema.Block blockProto() {
    Tfplugin6.Schema.Block.Builder b =
        Tfplugin6.Schema.Block.newBuilder().setDescription(description == null ? "" : description);
    for (Attribute a : attributes) {
      b.addAttributes(
          Tfplugin6.Schema.Attribute.newBuilder()
              .setName(a.name())
              .setType(ByteString.copyFrom(a.type().toJson().toString(), StandardCharsets.UTF_8))
              .setDescription(a.description() == null ? "" : a.description())
              .setRequired(a.mode() == Attribute.Mode.REQUIRED)
              .setOptional(
                  a.mode() == Attribute.Mode.OPTIONAL
                      || a.mode() == Attribute.Mode.OPTIONAL_COMPUTED)
              .setComputed(a.computed())
              .setSensitive(a.sensitive()));
    }
    blocks.forEach(
        (name, block) ->
            b.addBlockTypes(
                Tfplugin6.Schema.NestedBlock.newBuilder()
                    .setTypeName(name)
                    .setNesting(Tfplugin6.Schema.NestedBlock.NestingMode.SINGLE)
                    .setBlock(block.blockProto())));
    return b.build();
  }
}
