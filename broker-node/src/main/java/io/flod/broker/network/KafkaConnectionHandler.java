package io.flod.broker.network;

import io.flod.broker.api.ApiRegistry;
import io.flod.broker.api.RequestContext;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestHeader;
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

  private record InboundRequest(
      RequestContext context,
      AbstractRequest request,
      ApiMessage immediateResponse,
      ByteBuf frame) {}

  private final RequestDispatcher dispatcher;
  private final int maxQueued;
  private final ArrayDeque<InboundRequest> queue = new ArrayDeque<>();
  private boolean inFlight;
  private boolean closed;
  private String clientAddress = "unknown";

  KafkaConnectionHandler(RequestDispatcher dispatcher, int maxQueued) {
    this.dispatcher = dispatcher;
    this.maxQueued = maxQueued;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    clientAddress = String.valueOf(ctx.channel().remoteAddress());
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
    return new InboundRequest(new RequestContext(header, clientAddress), request, null, frame);
  }

  private void processNext(ChannelHandlerContext ctx) {
    if (inFlight || closed || queue.isEmpty()) {
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
    processNext(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    closed = true;
    InboundRequest pending;
    while ((pending = queue.poll()) != null) {
      pending.frame().release();
    }
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof TooLongFrameException || cause instanceof CorruptedFrameException) {
      log.warn(
          "client={} sent an invalid frame, closing the connection: {}",
          clientAddress,
          cause.getMessage());
    } else if (cause instanceof IOException) {
      log.debug("client={} connection error: {}", clientAddress, cause.toString());
    } else {
      log.warn("client={} connection failed, closing it", clientAddress, cause);
    }
    ctx.close();
  }
}
