package io.flod.broker.network;

import io.flod.broker.log.FileSliceRecords;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.protocol.Writable;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * The {@link Writable} that kafka-clients' generated message classes serialise into, producing
 * Netty messages: protocol fields go into pooled buffers, and segment file slices become {@link
 * SegmentFileRegion}s in between, so fetched record bytes are never copied into the JVM.
 *
 * <p>Written by hand because kafka-clients' own {@code SendBuilder} targets its NIO selector, not
 * Netty; varints follow the protocol's zig-zag / unsigned LEB128 encoding.
 */
final class NettyResponseWritable implements Writable {
  private final ByteBufAllocator allocator;
  private final List<Object> parts = new ArrayList<>(3);
  private ByteBuf current;

  NettyResponseWritable(ByteBufAllocator allocator, int initialCapacity) {
    this.allocator = allocator;
    this.current = allocator.ioBuffer(initialCapacity);
  }

  /** The buffers and file regions to write, in order. Ownership passes to the caller. */
  List<Object> finish() {
    parts.add(current);
    current = null;
    return parts;
  }

  /** Releases everything written so far (the response will not be sent). */
  void discard() {
    for (Object part : parts) {
      io.netty.util.ReferenceCountUtil.release(part);
    }
    if (current != null) {
      current.release();
    }
  }

  @Override
  public void writeByte(byte val) {
    current.writeByte(val);
  }

  @Override
  public void writeShort(short val) {
    current.writeShort(val);
  }

  @Override
  public void writeInt(int val) {
    current.writeInt(val);
  }

  @Override
  public void writeLong(long val) {
    current.writeLong(val);
  }

  @Override
  public void writeDouble(double val) {
    current.writeDouble(val);
  }

  @Override
  public void writeByteArray(byte[] arr) {
    current.writeBytes(arr);
  }

  @Override
  public void writeUnsignedVarint(int i) {
    int value = i;
    while ((value & 0xffffff80) != 0) {
      current.writeByte((value & 0x7f) | 0x80);
      value >>>= 7;
    }
    current.writeByte(value);
  }

  @Override
  public void writeByteBuffer(ByteBuffer buf) {
    current.writeBytes(buf.duplicate());
  }

  @Override
  public void writeVarint(int i) {
    writeUnsignedVarint((i << 1) ^ (i >> 31));
  }

  @Override
  public void writeVarlong(long i) {
    long value = (i << 1) ^ (i >> 63);
    while ((value & 0xffffffffffffff80L) != 0L) {
      current.writeByte(((int) value & 0x7f) | 0x80);
      value >>>= 7;
    }
    current.writeByte((int) value);
  }

  @Override
  public void writeRecords(BaseRecords records) {
    if (records instanceof FileSliceRecords slice) {
      if (slice.sizeInBytes() > 0) {
        parts.add(current);
        parts.add(new SegmentFileRegion(slice.channel(), slice.position(), slice.sizeInBytes()));
        current = allocator.ioBuffer(256);
      }
    } else if (records instanceof MemoryRecords memory) {
      writeByteBuffer(memory.buffer());
    } else {
      throw new IllegalArgumentException("cannot send records of type " + records.getClass());
    }
  }
}
