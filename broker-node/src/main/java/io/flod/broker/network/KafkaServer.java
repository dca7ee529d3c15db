package io.flod.broker.network;

import io.flod.broker.api.ApiRegistry;
import io.flod.broker.metrics.BrokerMetrics;
import io.flod.broker.quota.ThrottleLog;
import io.flod.broker.quota.ThroughputQuota;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The Kafka protocol listener: a Netty server whose pipeline counts connections against their
 * limits, closes idle ones, splits the byte stream into size-prefixed frames (refusing any over the
 * {@link ConnectionLimits}) and hands each to the connection's {@link KafkaConnectionHandler}. NIO
 * transport, so that fetches use {@code FileChannel.transferTo} (sendfile) for record bytes.
 */
public final class KafkaServer implements AutoCloseable {
  private final EventLoopGroup acceptor = new NioEventLoopGroup(1);
  private final EventLoopGroup workers = new NioEventLoopGroup();
  private final RequestDispatcher dispatcher;
  private final ConnectionLimits limits;
  private final ConnectionLimiter connections;
  private Channel serverChannel;

  private final SaslGate sasl;
  private final SslContext tls;

  /**
   * @param sasl SASL/PLAIN authentication and per-request authorization, or null for a listener
   *     open to anyone (local development)
   * @param tls the listener's TLS (SSL, or SASL_SSL with {@code sasl}), or null for clear text
   */
  public KafkaServer(
      ApiRegistry registry,
      Executor handlerPool,
      BrokerMetrics metrics,
      ConnectionLimits limits,
      SaslGate sasl,
      SslContext tls,
      ThroughputQuota ingress,
      ThrottleLog throttles) {
    this.dispatcher =
        new RequestDispatcher(
            registry,
            handlerPool,
            metrics,
            sasl == null ? null : sasl.access(),
            ingress,
            throttles);
    this.sasl = sasl;
    this.tls = tls;
    this.limits = limits;
    this.connections = new ConnectionLimiter(limits.maxConnections(), limits.maxConnectionsPerIp());
  }

  /** Connections the listener holds now. */
  public int connections() {
    return connections.connections();
  }

  /** Binds and returns the bound address (port 0 picks a free port). */
  public InetSocketAddress start(InetSocketAddress listen) throws InterruptedException {
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(acceptor, workers)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, 1024)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.SO_KEEPALIVE, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast("limits", connections)
                        .addLast(
                            "idle",
                            new IdleStateHandler(0, 0, limits.idleMs(), TimeUnit.MILLISECONDS));
                    if (tls != null) {
                      ch.pipeline()
                          .addLast("tls", tls.newHandler(ch.alloc()))
                          .addLast("file-regions", new FileRegionReader());
                    }
                    ch.pipeline()
                        .addLast(
                            "frames",
                            new ListenerFrameDecoder(
                                limits.maxFrameBytes(),
                                limits.preAuthMaxFrameBytes(),
                                sasl != null))
                        .addLast(
                            "requests",
                            new KafkaConnectionHandler(
                                dispatcher,
                                limits.maxQueuedPerConnection(),
                                sasl == null ? null : sasl.authenticator()));
                  }
                });
    serverChannel = bootstrap.bind(listen).sync().channel();
    return (InetSocketAddress) serverChannel.localAddress();
  }

  @Override
  public void close() {
    if (serverChannel != null) {
      serverChannel.close().syncUninterruptibly();
    }
    acceptor.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
