package io.flod.broker.network;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.io.IOException;
import java.util.List;

/**
 * On a TLS listener, turns a fetch's file regions into buffers, since bytes must pass through the
 * JVM to be encrypted (sendfile cannot be used; Kafka loses it under TLS too). The read hits the
 * page cache for the recent data consumers fetch.
 */
final class FileRegionReader extends MessageToMessageEncoder<SegmentFileRegion> {
  @Override
  protected void encode(ChannelHandlerContext ctx, SegmentFileRegion region, List<Object> out)
      throws IOException {
    int size = Math.toIntExact(region.count());
    ByteBuf buffer = ctx.alloc().ioBuffer(size);
    try {
      long position = region.position();
      while (buffer.writerIndex() < size) {
        int read =
            buffer.writeBytes(
                region.channel(), position + buffer.writerIndex(), size - buffer.writerIndex());
        if (read < 0) {
          throw new IOException("segment file shrank below the range being sent");
        }
      }
      out.add(buffer);
    } catch (IOException | RuntimeException e) {
      buffer.release();
      throw e;
    }
  }
}
