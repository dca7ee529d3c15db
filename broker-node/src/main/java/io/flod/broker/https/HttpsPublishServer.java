package io.flod.broker.https;

import io.flod.broker.auth.SasAuthenticator;
import io.flod.broker.metadata.TopicRegistry;
import io.flod.broker.quota.ThrottleLog;
import io.flod.broker.quota.ThroughputQuota;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Event Hubs' HTTPS publishing on a broker: {@code POST /<topic>/messages} and {@code POST
 * /<topic>/publishers/<name>/messages}, one event or a JSON batch, with the same SAS rules,
 * publisher policies and ingress quota as the Kafka head. Events go into the cluster through the
 * broker's own producer, so Kafka consumers read them with their key, properties (as headers) and
 * timestamp.
 */
public final class HttpsPublishServer implements AutoCloseable {
  private static final int PUBLISH_THREADS = 4;
  private final EventLoopGroup acceptor = new NioEventLoopGroup(1);
  private final EventLoopGroup workers = new NioEventLoopGroup(2);
  private final ExecutorService pool;
  private final EventSender sender;
  private final HttpPublisher publisher;
  private final SslContext tls;
  private final int maxBodyBytes;
  private final MeterRegistry meters;
  private Channel serverChannel;

  /**
   * @param tls the listener's TLS, or null to serve plain HTTP (local development)
   * @param authenticator SAS checks, or null for a cluster without authentication
   * @param producerConfig the settings of the broker's own producer, asked for on first use
   */
  public HttpsPublishServer(
      SslContext tls,
      int maxBodyBytes,
      SasAuthenticator authenticator,
      TopicRegistry topics,
      ThroughputQuota ingress,
      ThrottleLog throttles,
      Supplier<Map<String, Object>> producerConfig,
      MeterRegistry meters) {
    this.tls = tls;
    this.maxBodyBytes = maxBodyBytes;
    this.meters = meters;
    AtomicInteger threads = new AtomicInteger();
    this.pool =
        Executors.newFixedThreadPool(
            PUBLISH_THREADS,
            r -> {
              Thread t = new Thread(r, "flod-https-publish-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.sender = new EventSender(producerConfig);
    this.publisher =
        new HttpPublisher(new PublishAuthorizer(authenticator), topics, ingress, throttles, sender);
  }

  /** Binds and returns the bound address (port 0 picks a free port). */
  public InetSocketAddress start(InetSocketAddress listen) throws InterruptedException {
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(acceptor, workers)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, 256)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    if (tls != null) {
                      ch.pipeline().addLast("tls", tls.newHandler(ch.alloc()));
                    }
                    ch.pipeline()
                        .addLast("http", new HttpServerCodec(4096, 16 * 1024, 8192))
                        .addLast("keep-alive", new HttpServerKeepAliveHandler())
                        .addLast("body", new PublishBodyLimit(maxBodyBytes))
                        .addLast("publish", new PublishHandler(publisher, pool, meters));
                  }
                });
    serverChannel = bootstrap.bind(listen).sync().channel();
    return (InetSocketAddress) serverChannel.localAddress();
  }

  public boolean tls() {
    return tls != null;
  }

  @Override
  public void close() {
    if (serverChannel != null) {
      serverChannel.close().syncUninterruptibly();
    }
    acceptor.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    pool.shutdown();
    try {
      pool.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    sender.close();
  }
}
