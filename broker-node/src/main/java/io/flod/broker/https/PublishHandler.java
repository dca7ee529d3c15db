package io.flod.broker.https;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTPS head's Netty side: routes a request, runs the publish on the publish pool (it parses
 * JSON and may wait for a producer's metadata, neither of which belongs on an event loop), and
 * writes the answer. A connection handles one request at a time, so answers keep their order.
 */
final class PublishHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger log = LoggerFactory.getLogger(PublishHandler.class);
  private final HttpPublisher publisher;
  private final Executor pool;
  private final MeterRegistry meters;

  PublishHandler(HttpPublisher publisher, Executor pool, MeterRegistry meters) {
    this.publisher = publisher;
    this.pool = pool;
    this.meters = meters;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    if (request.decoderResult().isFailure()) {
      respond(
          ctx, PublishResponses.error(PublishRefused.badRequest("malformed HTTP request")), false);
      return;
    }
    Optional<PublishRoute> route = PublishRoute.parse(request.uri());
    if (route.isEmpty()) {
      respond(
          ctx,
          PublishResponses.error(
              HttpResponseStatus.NOT_FOUND,
              "NotFound",
              "publish with POST /<topic>/messages or /<topic>/publishers/<name>/messages",
              0),
          keepAlive);
      return;
    }
    if (!request.method().equals(HttpMethod.POST)) {
      FullHttpResponse refused =
          PublishResponses.error(
              HttpResponseStatus.METHOD_NOT_ALLOWED, "MethodNotAllowed", "publish with POST", 0);
      refused.headers().set(HttpHeaderNames.ALLOW, HttpMethod.POST.name());
      respond(ctx, refused, keepAlive);
      return;
    }
    String client = String.valueOf(ctx.channel().remoteAddress());
    request.retain();
    ctx.channel().config().setAutoRead(false);
    try {
      pool.execute(() -> publish(ctx, route.get(), request, client, keepAlive));
    } catch (RejectedExecutionException shuttingDown) {
      request.release();
      respond(ctx, unavailable("the broker is shutting down"), false);
    }
  }

  private void publish(
      ChannelHandlerContext ctx,
      PublishRoute route,
      FullHttpRequest request,
      String client,
      boolean keepAlive) {
    CompletableFuture<Void> sent;
    try {
      sent = publisher.publish(route, request, client);
    } catch (PublishRefused | RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    } finally {
      request.release();
    }
    sent.whenComplete(
        (ok, error) -> {
          FullHttpResponse response =
              error == null ? PublishResponses.created() : failure(route, client, error);
          respond(ctx, response, keepAlive);
          ctx.channel().config().setAutoRead(true);
        });
  }

  private static FullHttpResponse failure(PublishRoute route, String client, Throwable error) {
    Throwable cause =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (cause instanceof PublishRefused refused) {
      return PublishResponses.error(refused);
    }
    if (cause instanceof RecordTooLargeException) {
      return PublishResponses.error(
          HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "MessageTooLarge", cause.getMessage(), 0);
    }
    if (cause instanceof KafkaException || cause instanceof IllegalStateException) {
      log.warn(
          "client={} topic={} https publish not stored: {}",
          client,
          route.topic(),
          cause.toString());
      return unavailable("the events were not stored (" + cause.getMessage() + "); retry");
    }
    log.error("client={} topic={} https publish failed", client, route.topic(), cause);
    return PublishResponses.error(
        HttpResponseStatus.INTERNAL_SERVER_ERROR, "InternalError", "internal error", 0);
  }

  private static FullHttpResponse unavailable(String message) {
    return PublishResponses.error(
        HttpResponseStatus.SERVICE_UNAVAILABLE, "ServiceUnavailable", message, 1);
  }

  private void respond(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
    meters
        .counter("flod.broker.https.requests", "status", Integer.toString(response.status().code()))
        .increment();
    HttpUtil.setKeepAlive(response, keepAlive);
    ctx.writeAndFlush(response);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug(
        "client={} https connection closed: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }
}
