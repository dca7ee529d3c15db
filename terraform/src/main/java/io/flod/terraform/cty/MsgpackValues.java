package io.flod.terraform.cty;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;

/**
 * Terraform's msgpack encoding of values (go-cty's msgpack package), written against msgpack-core:
 * a value's shape comes from its type, null is nil, an unknown is an extension (type 0 written, any
 * type read), objects carry every attribute. No Java library implements cty's conventions.
 */
public final class MsgpackValues {
  private static final byte[] UNKNOWN_PAYLOAD = {0};

  private MsgpackValues() {}

  public static byte[] encode(CtyType type, Object value) {
    try (MessageBufferPacker packer = MessagePack.newDefaultBufferPacker()) {
      write(packer, type, value);
      return packer.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Object decode(CtyType type, byte[] bytes) {
    if (bytes == null || bytes.length == 0) {
      return null;
    }
    try (MessageUnpacker unpacker = MessagePack.newDefaultUnpacker(bytes)) {
      return read(unpacker, type);
    } catch (IOException e) {
      throw new IllegalArgumentException("not a msgpack value of type " + type.toJson(), e);
    }
  }

  private static void write(MessageBufferPacker out, CtyType type, Object value)
      throws IOException {
    if (value == null) {
      out.packNil();
      return;
    }
    if (value == Unknown.VALUE) {
      out.packExtensionTypeHeader((byte) 0, 1);
      out.writePayload(UNKNOWN_PAYLOAD);
      return;
    }
    if (type.equals(CtyType.STRING)) {
      out.packString((String) value);
    } else if (type.equals(CtyType.BOOL)) {
      out.packBoolean((Boolean) value);
    } else if (type.equals(CtyType.NUMBER)) {
      writeNumber(out, (BigDecimal) value);
    } else if (type instanceof CtyType.Collection c && c.kind().equals("map")) {
      Map<?, ?> map = (Map<?, ?>) value;
      out.packMapHeader(map.size());
      for (Map.Entry<?, ?> e : map.entrySet()) {
        out.packString((String) e.getKey());
        write(out, c.element(), e.getValue());
      }
    } else if (type instanceof CtyType.Collection c) {
      List<?> list = (List<?>) value;
      out.packArrayHeader(list.size());
      for (Object element : list) {
        write(out, c.element(), element);
      }
    } else {
      CtyType.ObjectType o = (CtyType.ObjectType) type;
      Map<?, ?> object = (Map<?, ?>) value;
      out.packMapHeader(o.attributes().size());
      for (Map.Entry<String, CtyType> attr : o.attributes().entrySet()) {
        out.packString(attr.getKey());
        write(out, attr.getValue(), object.get(attr.getKey()));
      }
    }
  }

  private static void writeNumber(MessageBufferPacker out, BigDecimal number) throws IOException {
    BigDecimal n = number.stripTrailingZeros();
    if (n.scale() <= 0 && n.precision() - n.scale() <= 18) {
      out.packLong(n.longValueExact());
    } else if (new BigDecimal(n.doubleValue()).compareTo(n) == 0) {
      out.packDouble(n.doubleValue());
    } else {
      out.packString(n.toPlainString()); // cty's form for numbers no float holds exactly
    }
  }

  private static Object read(MessageUnpacker in, CtyType type) throws IOException {
    MessageFormat format = in.getNextFormat();
    if (format == MessageFormat.NIL) {
      in.unpackNil();
      return null;
    }
    if (format.getValueType() == ValueType.EXTENSION) {
      int length = in.unpackExtensionTypeHeader().getLength();
      in.readPayload(length); // refinements (type 12) narrow an unknown; we keep it unknown
      return Unknown.VALUE;
    }
    if (type.equals(CtyType.STRING)) {
      return in.unpackString();
    }
    if (type.equals(CtyType.BOOL)) {
      return in.unpackBoolean();
    }
    if (type.equals(CtyType.NUMBER)) {
      return readNumber(in, format);
    }
    if (type instanceof CtyType.Collection c && c.kind().equals("map")) {
      int size = in.unpackMapHeader();
      Map<String, Object> map = new LinkedHashMap<>();
      for (int i = 0; i < size; i++) {
        map.put(in.unpackString(), read(in, c.element()));
      }
      return map;
    }
    if (type instanceof CtyType.Collection c) {
      int size = in.unpackArrayHeader();
      List<Object> list = new ArrayList<>(size);
      for (int i = 0; i < size; i++) {
        list.add(read(in, c.element()));
      }
      return list;
    }
    CtyType.ObjectType o = (CtyType.ObjectType) type;
    int size = in.unpackMapHeader();
    Map<String, Object> object = new LinkedHashMap<>();
    o.attributes().keySet().forEach(name -> object.put(name, null));
    for (int i = 0; i < size; i++) {
      String name = in.unpackString();
      CtyType attr = o.attributes().get(name);
      if (attr == null) {
        throw new IllegalArgumentException("unsupported attribute \"" + name + "\"");
      }
      object.put(name, read(in, attr));
    }
    return object;
  }

  private static BigDecimal readNumber(MessageUnpacker in, MessageFormat format)
      throws IOException {
    switch (format.getValueType()) {
      case INTEGER:
        BigInteger big = in.unpackBigInteger();
        return new BigDecimal(big);
      case FLOAT:
        return BigDecimal.valueOf(in.unpackDouble());
      case STRING:
        return new BigDecimal(in.unpackString());
      default:
        throw new IllegalArgumentException("a number was expected, not " + format);
    }
  }
}
