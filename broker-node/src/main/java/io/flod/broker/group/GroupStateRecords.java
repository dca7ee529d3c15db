package io.flod.broker.group;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.TopicPartition;

/**
 * The records the coordinator keeps in {@code __consumer_offsets}. Keys say what a record is about;
 * a null value (a tombstone) deletes it; the latest record for a key wins.
 *
 * <pre>
 * offset key:   int16 1, string group, string topic, int32 partition
 * offset value: int16 0, int64 offset, int32 leader epoch, string metadata, int64 commit time
 * group key:    int16 2, string group
 * group value:  int16 0, string protocol type, int32 generation, nullable string protocol,
 *               nullable string leader, int32 member count, then per member: string member id,
 *               nullable string instance id, string client id, string client host,
 *               int32 rebalance timeout, int32 session timeout, bytes metadata, bytes assignment
 * </pre>
 *
 * Strings are int16 length + UTF-8 (length -1 for null); bytes are int32 length + bytes. The format
 * is Flod's own: Kafka's equivalents live in its server modules, not in kafka-clients.
 */
final class GroupStateRecords {
  private static final short OFFSET_KEY = 1;
  private static final short GROUP_KEY = 2;
  private static final short VALUE_VERSION = 0;

  private GroupStateRecords() {}

  sealed interface Entry permits OffsetEntry, GroupEntry {
    String groupId();
  }

  /** A committed offset, or its deletion when {@code offset} is null. */
  record OffsetEntry(String groupId, TopicPartition partition, CommittedOffset offset)
      implements Entry {}

  /** A group's membership after a rebalance, or its deletion when {@code members} is null. */
  record GroupEntry(
      String groupId,
      String protocolType,
      int generationId,
      String protocolName,
      String leaderId,
      List<StoredMember> members)
      implements Entry {}

  record StoredMember(
      String memberId,
      String groupInstanceId,
      String clientId,
      String clientHost,
      int rebalanceTimeoutMs,
      int sessionTimeoutMs,
      byte[] metadata,
      byte[] assignment) {}

  static byte[] offsetKey(String group, TopicPartition tp) {
    return write(
        out -> {
          out.writeShort(OFFSET_KEY);
          string(out, group);
          string(out, tp.topic());
          out.writeInt(tp.partition());
        });
  }

  static byte[] offsetValue(CommittedOffset offset) {
    return write(
        out -> {
          out.writeShort(VALUE_VERSION);
          out.writeLong(offset.offset());
          out.writeInt(offset.leaderEpoch());
          string(out, offset.metadata());
          out.writeLong(offset.commitTimestampMs());
        });
  }

  static byte[] groupKey(String group) {
    return write(
        out -> {
          out.writeShort(GROUP_KEY);
          string(out, group);
        });
  }

  static byte[] groupValue(ConsumerGroup group) {
    return write(
        out -> {
          out.writeShort(VALUE_VERSION);
          string(out, group.protocolType == null ? "" : group.protocolType);
          out.writeInt(group.generationId);
          string(out, group.protocolName);
          string(out, group.leaderId);
          out.writeInt(group.members.size());
          for (GroupMember m : group.members.values()) {
            string(out, m.memberId);
            string(out, m.groupInstanceId);
            string(out, m.clientId);
            string(out, m.clientHost);
            out.writeInt(m.rebalanceTimeoutMs);
            out.writeInt(m.sessionTimeoutMs);
            byte[] metadata = group.protocolName == null ? null : m.metadata(group.protocolName);
            bytes(out, metadata == null ? new byte[0] : metadata);
            bytes(out, m.assignment);
          }
        });
  }

  /** Decodes one record; {@code value} is null for a tombstone. Null for a key of no known kind. */
  static Entry decode(ByteBuffer key, ByteBuffer value) {
    short kind = key.getShort();
    String group = string(key);
    if (kind == OFFSET_KEY) {
      TopicPartition tp = new TopicPartition(string(key), key.getInt());
      if (value == null) {
        return new OffsetEntry(group, tp, null);
      }
      value.getShort();
      return new OffsetEntry(
          group,
          tp,
          new CommittedOffset(value.getLong(), value.getInt(), string(value), value.getLong()));
    }
    if (kind == GROUP_KEY) {
      if (value == null) {
        return new GroupEntry(group, null, 0, null, null, null);
      }
      value.getShort();
      String protocolType = string(value);
      int generation = value.getInt();
      String protocol = string(value);
      String leader = string(value);
      int count = value.getInt();
      List<StoredMember> members = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        members.add(
            new StoredMember(
                string(value),
                string(value),
                string(value),
                string(value),
                value.getInt(),
                value.getInt(),
                bytes(value),
                bytes(value)));
      }
      return new GroupEntry(group, protocolType, generation, protocol, leader, members);
    }
    return null;
  }

  private interface Body {
    void writeTo(DataOutputStream out) throws IOException;
  }

  private static byte[] write(Body body) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      body.writeTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static void string(DataOutputStream out, String s) throws IOException {
    if (s == null) {
      out.writeShort(-1);
      return;
    }
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    out.writeShort(utf8.length);
    out.write(utf8);
  }

  private static void bytes(DataOutputStream out, byte[] b) throws IOException {
    out.writeInt(b.length);
    out.write(b);
  }

  private static String string(ByteBuffer in) {
    short length = in.getShort();
    if (length < 0) {
      return null;
    }
    byte[] utf8 = new byte[length];
    in.get(utf8);
    return new String(utf8, StandardCharsets.UTF_8);
  }

  private static byte[] bytes(ByteBuffer in) {
    byte[] b = new byte[in.getInt()];
    in.get(b);
    return b;
  }
}
