package io.flod.broker.network;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts a listener's connections, in total and per client address, and closes a new one at once
 * when either is at its limit (Kafka's {@code max.connections} and {@code max.connections.per.ip}),
 * so that one client opening sockets cannot exhaust the broker's file descriptors and memory.
 * Refusals are logged at most once every ten seconds, with how many there were.
 */
@ChannelHandler.Sharable
final class ConnectionLimiter extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(ConnectionLimiter.class);
  private static final AttributeKey<InetAddress> COUNTED =
      AttributeKey.valueOf("flod.connection.counted");
  private static final ThrottledWarning REFUSED = new ThrottledWarning(log, 10);

  private final int maxConnections;
  private final int maxPerAddress;
  private final AtomicInteger total = new AtomicInteger();
  private final ConcurrentHashMap<InetAddress, AtomicInteger> perAddress =
      new ConcurrentHashMap<>();

  ConnectionLimiter(int maxConnections, int maxPerAddress) {
    this.maxConnections = maxConnections;
    this.maxPerAddress = maxPerAddress;
  }

  /** Connections held now. */
  int connections() {
    return total.get();
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    InetAddress address = ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress();
    AtomicInteger fromAddress = perAddress.computeIfAbsent(address, a -> new AtomicInteger());
    int mine = fromAddress.incrementAndGet();
    int all = total.incrementAndGet();
    ctx.channel().attr(COUNTED).set(address);
    if (mine > maxPerAddress || all > maxConnections) {
      refuse(address, mine > maxPerAddress ? mine : all, mine > maxPerAddress);
      ctx.close();
      return;
    }
    super.channelActive(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    InetAddress address = ctx.channel().attr(COUNTED).getAndSet(null);
    if (address != null) {
      total.decrementAndGet();
      perAddress.computeIfPresent(address, (a, n) -> n.decrementAndGet() == 0 ? null : n);
    }
    super.channelInactive(ctx);
  }

  private void refuse(InetAddress address, int count, boolean perAddressLimit) {
    REFUSED.warn(
        "client={} connection refused: {}",
        address.getHostAddress(),
        perAddressLimit
            ? count + " connections from this address, over max.connections.per.ip=" + maxPerAddress
            : count + " connections in all, over max.connections=" + maxConnections);
  }
}
