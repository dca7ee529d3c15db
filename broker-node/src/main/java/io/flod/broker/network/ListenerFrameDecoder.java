package io.flod.broker.network;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.TooLongFrameException;
import java.nio.ByteOrder;

/**
 * Splits the stream into size-prefixed Kafka frames, refusing a size over {@code
 * socket.request.max.bytes}, and, until the connection has authenticated, over the much smaller
 * pre-authentication limit (Kafka's {@code sasl.server.max.receive.size}): an anonymous socket
 * announcing a 100 MiB frame is closed on reading the prefix, before anything is buffered.
 */
final class ListenerFrameDecoder extends LengthFieldBasedFrameDecoder {
  private final int preAuthMaxFrameBytes;
  private final boolean authenticationRequired;
  private boolean authenticated; // only touched on the connection's event loop

  ListenerFrameDecoder(
      int maxFrameBytes, int preAuthMaxFrameBytes, boolean authenticationRequired) {
    super(maxFrameBytes, 0, 4, 0, 4, true);
    this.preAuthMaxFrameBytes = preAuthMaxFrameBytes;
    this.authenticationRequired = authenticationRequired;
  }

  @Override
  protected long getUnadjustedFrameLength(ByteBuf buf, int offset, int length, ByteOrder order) {
    long frameLength = super.getUnadjustedFrameLength(buf, offset, length, order);
    if (authenticationRequired && frameLength > preAuthMaxFrameBytes && !authenticated) {
      throw new TooLongFrameException(
          "frame of "
              + frameLength
              + " bytes before authentication, over sasl.server.max.receive.size="
              + preAuthMaxFrameBytes);
    }
    return frameLength;
  }

  /** Called by the connection handler, on the event loop, once authentication succeeded. */
  void authenticationSucceeded() {
    authenticated = true;
  }
}
