package io.flod.terraform;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.flod.terraform.cty.CtyType;
import io.flod.terraform.cty.MsgpackValues;
import io.flod.terraform.cty.Unknown;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MsgpackValuesTest {
  private static final CtyType.ObjectType OBJECT =
      new CtyType.ObjectType(
          Map.of(
              "name", CtyType.STRING,
              "count", CtyType.NUMBER,
              "on", CtyType.BOOL,
              "zones", CtyType.list(CtyType.STRING),
              "config", CtyType.map(CtyType.STRING),
              "secret", CtyType.STRING));

  @Test
  void everyAttributeTypeRoundTrips() {
    Map<String, Object> value = new LinkedHashMap<>();
    value.put("name", "c1");
    value.put("count", new BigDecimal("3"));
    value.put("on", true);
    value.put("zones", List.of("z1", "z2"));
    value.put("config", Map.of("retention", "24"));
    value.put("secret", "s3cr3t"); // sensitive is a schema flag: encoded like any string
    assertEquals(value, MsgpackValues.decode(OBJECT, MsgpackValues.encode(OBJECT, value)));
  }

  @Test
  void numbersKeepTheirValue() {
    for (String n :
        List.of("0", "-7", "9007199254740993", "2.5", "0.1", "123456789012345678901234")) {
      BigDecimal decoded =
          (BigDecimal)
              MsgpackValues.decode(
                  CtyType.NUMBER, MsgpackValues.encode(CtyType.NUMBER, new BigDecimal(n)));
      assertEquals(0, decoded.compareTo(new BigDecimal(n)), n);
    }
  }

  @Test
  void nullsAndUnknownsAreWrittenAsCtyDoes() {
    assertArrayEquals(new byte[] {(byte) 0xc0}, MsgpackValues.encode(CtyType.STRING, null));
    assertArrayEquals(
        new byte[] {(byte) 0xd4, 0, 0}, MsgpackValues.encode(CtyType.STRING, Unknown.VALUE));
    Map<String, Object> partial = new LinkedHashMap<>();
    partial.put("name", "c1");
    partial.put("count", Unknown.VALUE);
    Map<String, Object> decoded =
        castMap(MsgpackValues.decode(OBJECT, MsgpackValues.encode(OBJECT, partial)));
    assertEquals(Unknown.VALUE, decoded.get("count"));
    assertEquals(null, decoded.get("zones"), "an attribute left out is written as nil");
    assertEquals(6, decoded.size(), "every attribute of the object is present");
  }

  @Test
  void aRefinedUnknownFromTerraformReadsAsUnknown() {
    // ext8, type 12, payload: the refinement map {1: false} ("not null")
    byte[] refined = {(byte) 0xc7, 3, 12, (byte) 0x81, 1, (byte) 0xc2};
    assertEquals(Unknown.VALUE, MsgpackValues.decode(CtyType.STRING, refined));
  }

  @Test
  void anAttributeOutsideTheSchemaIsRefused() {
    CtyType.ObjectType small = new CtyType.ObjectType(Map.of("name", CtyType.STRING));
    byte[] bytes = MsgpackValues.encode(OBJECT, Map.of("name", "x"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> MsgpackValues.decode(small, bytes));
    assertEquals(true, e.getMessage().contains("unsupported attribute"), e.getMessage());
  }

  @Test
  void objectAttributesAreWrittenInNameOrderAsCtyDoes() {
    assertEquals(
        List.of("config", "count", "name", "on", "secret", "zones"),
        Arrays.asList(OBJECT.attributes().keySet().toArray()));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> castMap(Object o) {
    return (Map<String, Object>) o;
  }
}
