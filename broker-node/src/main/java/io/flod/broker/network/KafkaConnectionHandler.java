package io.flod.broker.network;

import io.flod.broker.api.ApiRegistry;
import io.flod.broker.api.RequestContext;
import io.flod.broker.auth.Principal;
import io.flod.broker.auth.SasAuthenticator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.SaslAuthenticateRequest;
import org.apache.kafka.common.requests.SaslHandshakeRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: decodes each frame into a request header and body with kafka-clients'
 * message classes, hands it to the {@link RequestDispatcher}, and writes responses in request
 * order. As in Kafka, a connection has one request in progress at a time; up to {@code maxQueued}
 * more are read ahead, then reading pauses until the queue drains.
 *
 * <p>A request's frame buffer stays alive until its response is written, because produced record
 * batches are appended to the log straight from it. Everything here runs on the connection's event
 * loop; handlers run elsewhere.
 *
 * <p>Bad input never takes the broker down: an unknown API, an unsupported version (other than
 * ApiVersions, which is answered as KIP-511 asks), a body that does not parse, or a frame size over
 * the limit closes this connection with one log line.
 */
final class KafkaConnectionHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(KafkaConnectionHandler.class);
  private static final ThrottledWarning INVALID_FRAMES = new ThrottledWarning(log, 10);

  private record InboundRequest(
      RequestContext context,
      AbstractRequest request,
      ApiMessage immediateResponse,
      ByteBuf frame,
      boolean closeAfter) {
    InboundRequest(
        RequestContext context, AbstractRequest request, ApiMessage immediate, ByteBuf frame) {
      this(context, request, immediate, frame, false);
    }
  }

  private final RequestDispatcher dispatcher;
  private final int maxQueued;
  private final SasAuthenticator authenticator;
  private Principal principal;
  private boolean throttled;
  private ScheduledFuture<?> expiry;
  private final ArrayDeque<InboundRequest> queue = new ArrayDeque<>();
  private boolean inFlight;
  private boolean closed;
  private String clientAddress = "unknown";
  private Channel channel;

  /** {@code authenticator} null: no SASL, every request is served (local development). */
  KafkaConnectionHandler(
      RequestDispatcher dispatcher, int maxQueued, SasAuthenticator authenticator) {
    this.dispatcher = dispatcher;
    this.maxQueued = maxQueued;
    this.authenticator = authenticator;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    clientAddress = String.valueOf(ctx.channel().remoteAddress());
    channel = ctx.channel();
    super.channelActive(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf frame = (ByteBuf) msg;
    InboundRequest request;
    try {
      request = decode(frame);
    } catch (RuntimeException e) {
      frame.release();
      log.warn(
          "client={} sent a bad request, closing the connection: {}", clientAddress, e.toString());
      ctx.close();
      return;
    }
    queue.add(request);
    if (queue.size() >= maxQueued) {
      ctx.channel().config().setAutoRead(false);
    }
    processNext(ctx);
  }

  private InboundRequest decode(ByteBuf frame) {
    ByteBuffer buffer = frame.nioBuffer();
    if (buffer.remaining() < 8) {
      throw new InvalidRequestException(
          "frame of " + buffer.remaining() + " bytes is too short for a header");
    }
    short apiKeyId = buffer.getShort(0);
    short version = buffer.getShort(2);
    if (!ApiKeys.hasId(apiKeyId)) {
      throw new InvalidRequestException("unknown API key " + apiKeyId);
    }
    ApiKeys apiKey = ApiKeys.forId(apiKeyId);
    ApiRegistry.SupportedApi api = dispatcher.registry().find(apiKey).orElse(null);
    if (apiKey == ApiKeys.API_VERSIONS && (api == null || !api.supports(version))) {
      // KIP-511: answer a newer ApiVersions with version 0 and our ranges, so the client retries.
      int correlationId = buffer.getInt(4);
      RequestHeader header =
          new RequestHeader(ApiKeys.API_VERSIONS, (short) 0, null, correlationId);
      ApiVersionsResponseData response =
          ApiVersionsHandlerSupport.describe(dispatcher.registry())
              .setErrorCode(Errors.UNSUPPORTED_VERSION.code());
      return new InboundRequest(new RequestContext(header, clientAddress), null, response, frame);
    }
    if (api == null || !api.supports(version)) {
      throw new UnsupportedVersionException(apiKey + " version " + version + " is not supported");
    }
    RequestHeader header = RequestHeader.parse(buffer);
    AbstractRequest request =
        AbstractRequest.parseRequest(apiKey, version, new ByteBufferAccessor(buffer)).request;
    RequestContext context = new RequestContext(header, clientAddress, principal);
    if (authenticator != null) {
      if (request instanceof SaslHandshakeRequest handshake) {
        boolean plain = "PLAIN".equals(handshake.data().mechanism());
        return new InboundRequest(
            context,
            request,
            new SaslHandshakeResponseData()
                .setErrorCode(plain ? Errors.NONE.code() : Errors.UNSUPPORTED_SASL_MECHANISM.code())
                .setMechanisms(List.of("PLAIN")),
            frame,
            !plain);
      }
      if (request instanceof SaslAuthenticateRequest authenticate) {
        return authenticate(context, authenticate, frame);
      }
      if (principal == null && apiKey != ApiKeys.API_VERSIONS) {
        throw new InvalidRequestException(apiKey + " before SASL authentication");
      }
    }
    return new InboundRequest(context, request, null, frame);
  }

  /**
   * SASL/PLAIN ({@code [authzid] NUL user NUL password}, RFC 4616) checked on the event loop: it is
   * one HMAC, no I/O. A refusal is answered and the connection closed, as Kafka does. A token's
   * expiry is the session's lifetime: clients re-authenticate before it (KIP-368), and the
   * connection is closed at expiry otherwise.
   */
  private InboundRequest authenticate(
      RequestContext context, SaslAuthenticateRequest request, ByteBuf frame) {
    String[] fields =
        new String(request.data().authBytes(), StandardCharsets.UTF_8).split("\u0000", -1);
    SaslAuthenticateResponseData response = new SaslAuthenticateResponseData();
    try {
      if (fields.length != 3) {
        throw new SasAuthenticator.Refused("malformed-plain");
      }
      Principal authenticated = authenticator.authenticate(fields[1], fields[2]);
      principal = authenticated;
      ListenerFrameDecoder frames = channel.pipeline().get(ListenerFrameDecoder.class);
      if (frames != null) {
        frames.authenticationSucceeded();
      }
      if (expiry != null) {
        expiry.cancel(false);
        expiry = null;
      }
      if (authenticated.expiresAt() != null) {
        long lifetimeMs =
            Math.max(1, Duration.between(Instant.now(), authenticated.expiresAt()).toMillis());
        response.setSessionLifetimeMs(lifetimeMs);
        expiry =
            channel
                .eventLoop()
                .schedule(() -> expire(authenticated), lifetimeMs, TimeUnit.MILLISECONDS);
      }
      log.debug("client={} authenticated as {}", clientAddress, authenticated);
      return new InboundRequest(
          context,
          request,
          response.setErrorCode(Errors.NONE.code()).setAuthBytes(new byte[0]),
          frame);
    } catch (SasAuthenticator.Refused e) {
      log.info("client={} authentication refused: {}", clientAddress, e.reason());
      return new InboundRequest(
          context,
          request,
          response
              .setErrorCode(Errors.SASL_AUTHENTICATION_FAILED.code())
              .setErrorMessage(e.getMessage())
              .setAuthBytes(new byte[0]),
          frame,
          true);
    }
  }

  private void expire(Principal expired) {
    if (principal == expired) {
      log.info("client={} {}: token expired, closing the connection", clientAddress, expired);
      closed = true;
      channel.close();
    }
  }

  private void processNext(ChannelHandlerContext ctx) {
    if (inFlight || closed || throttled || queue.isEmpty()) {
      return;
    }
    InboundRequest next = queue.poll();
    if (!ctx.channel().config().isAutoRead() && queue.size() < maxQueued) {
      ctx.channel().config().setAutoRead(true);
    }
    if (next.immediateResponse() != null) {
      respond(ctx, next, next.immediateResponse());
      return;
    }
    inFlight = true;
    dispatcher
        .dispatch(next.context(), next.request())
        .whenComplete(
            (response, error) ->
                ctx.executor()
                    .execute(
                        () -> {
                          inFlight = false;
                          respond(ctx, next, response);
                        }));
  }

  private void respond(ChannelHandlerContext ctx, InboundRequest request, ApiMessage response) {
    try {
      if (response != null && !closed) {
        RequestContext context = request.context();
        ResponseEncoder.write(
            ctx,
            context.header().correlationId(),
            context.apiKey().responseHeaderVersion(context.apiVersion()),
            response,
            context.apiVersion());
      }
    } catch (RuntimeException e) {
      log.error(
          "client={} api={} cannot encode response, closing the connection",
          clientAddress,
          request.context().apiKey(),
          e);
      ctx.close();
    } finally {
      request.frame().release();
    }
    if (request.closeAfter()) {
      closed = true;
      ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    int throttleMs =
        response instanceof ProduceResponseData p
            ? p.throttleTimeMs()
            : response instanceof FetchResponseData f ? f.throttleTimeMs() : 0;
    if (throttleMs > 0) {
      // KIP-219: the answer goes out now, and the connection reads nothing more until the
      // throttle time has passed (a client that honours throttle_time_ms waits as long anyway).
      throttled = true;
      ctx.channel().config().setAutoRead(false);
      ctx.executor()
          .schedule(
              () -> {
                throttled = false;
                if (queue.size() < maxQueued) {
                  ctx.channel().config().setAutoRead(true);
                }
                processNext(ctx);
              },
              throttleMs,
              TimeUnit.MILLISECONDS);
      return;
    }
    processNext(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    closed = true;
    if (expiry != null) {
      expiry.cancel(false);
    }
    InboundRequest pending;
    while ((pending = queue.poll()) != null) {
      pending.frame().release();
    }
    super.channelInactive(ctx);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
    if (event instanceof io.netty.handler.timeout.IdleStateEvent) {
      log.debug(
          "client={} idle past connections.max.idle.ms, closing the connection", clientAddress);
      closed = true;
      ctx.close();
      return;
    }
    super.userEventTriggered(ctx, event);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof TooLongFrameException || cause instanceof CorruptedFrameException) {
      if (!closed) {
        INVALID_FRAMES.warn(
            "client={} sent an invalid frame, closing the connection: {}",
            clientAddress,
            cause.getMessage());
      }
      closed = true;
    } else if (cause instanceof IOException) {
      log.debug("client={} connection error: {}", clientAddress, cause.toString());
    } else {
      log.warn("client={} connection failed, closing it", clientAddress, cause);
    }
    ctx.close();
  }
}
