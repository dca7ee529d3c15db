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
