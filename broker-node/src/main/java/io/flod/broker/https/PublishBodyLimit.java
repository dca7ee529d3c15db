package io.flod.broker.https;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;

/**
 * Gathers a request's body up to the configured maximum and answers anything larger with a 413 that
 * says what the maximum is. The rest of an oversized body is read and dropped, so the client gets
 * its answer and the connection can carry on.
 */
final class PublishBodyLimit extends HttpObjectAggregator {
  private final int maxBytes;

  PublishBodyLimit(int maxBytes) {
    super(maxBytes);
    this.maxBytes = maxBytes;
  }

  @Override
  protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
    long length = HttpUtil.getContentLength(oversized, -1L);
    String message =
        "the event or batch"
            + (length >= 0 ? " of " + length + " bytes" : "")
            + " is over this cluster's maximum of "
            + maxBytes
            + " bytes";
    boolean keepAlive =
        !(oversized instanceof FullHttpMessage)
            && (HttpUtil.is100ContinueExpected(oversized) || HttpUtil.isKeepAlive(oversized));
    FullHttpResponse response =
        PublishResponses.error(
            HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "MessageTooLarge", message, 0);
    HttpUtil.setKeepAlive(response, keepAlive);
    ctx.writeAndFlush(response)
        .addListener(
            keepAlive
                ? ChannelFutureListener.CLOSE_ON_FAILURE
                : (ChannelFutureListener) future -> future.channel().close());
  }
}
