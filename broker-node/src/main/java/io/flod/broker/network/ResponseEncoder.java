package io.flod.broker.network;

import io.netty.channel.ChannelHandlerContext;
import java.util.List;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ObjectSerializationCache;

/** Frames a response: a 4-byte size, the response header, then the body, all in one write. */
final class ResponseEncoder {
  private ResponseEncoder() {}

  static void write(
      ChannelHandlerContext ctx,
      int correlationId,
      short headerVersion,
      ApiMessage body,
      short bodyVersion) {
    ResponseHeaderData header = new ResponseHeaderData().setCorrelationId(correlationId);
    ObjectSerializationCache cache = new ObjectSerializationCache();
    int size = header.size(cache, headerVersion) + body.size(cache, bodyVersion);
    // Record bytes from files are not copied into the buffer, so size it for the fields only.
    NettyResponseWritable out =
        new NettyResponseWritable(ctx.alloc(), Math.min(size + 4, 64 * 1024));
    List<Object> parts;
    try {
      out.writeInt(size);
      header.write(out, cache, headerVersion);
      body.write(out, cache, bodyVersion);
      parts = out.finish();
    } catch (RuntimeException e) {
      out.discard();
      throw e;
    }
    for (Object part : parts) {
      ctx.write(part);
    }
    ctx.flush();
  }
}
