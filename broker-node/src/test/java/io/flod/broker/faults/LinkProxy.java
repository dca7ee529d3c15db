package io.flod.broker.faults;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP proxy in front of one endpoint (a broker listener or ZooKeeper) that the fault harness can
 * cut, stall, delay or one-way-partition, per peer. Only loopback addresses are ever used.
 *
 * <p>Each accepted connection is given a peer name by a classifier that looks at its first bytes
 * (for a broker listener: the Kafka client id, so a peer broker's replica fetcher is told apart
 * from clients; for ZooKeeper: the fixed name of the one process the proxy serves). The {@link
 * Link} set for that peer then decides what happens to its bytes:
 *
 * <ul>
 *   <li>a partition <em>stalls</em> a direction: bytes are held and no more are read, as iptables
 *       DROP would leave a TCP connection (the endpoints' own timeouts notice, as they would in a
 *       real partition); healing delivers what was held, in order;
 *   <li>a delay holds each chunk for that long (order kept);
 *   <li>{@link #reset} closes the peer's connections at once (a connection reset).
 * </ul>
 *
 * Reads are manual (auto-read off), so a stalled or slow direction pushes back on its sender
 * instead of buffering without bound.
 */
public final class LinkProxy implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LinkProxy.class);

  /** What a link does to bytes of one peer. */
  public record Link(boolean stallToUpstream, boolean stallFromUpstream, long delayMs) {
    public static final Link OPEN = new Link(false, false, 0);
    public static final Link PARTITIONED = new Link(true, true, 0);

    public static Link delayed(long ms) {
      return new Link(false, false, ms);
    }

    boolean stalled(boolean toUpstream) {
      return toUpstream ? stallToUpstream : stallFromUpstream;
    }
  }

  /** Peer name for any connection whose peer has no link of its own. */
  public static final String ANY = "*";

  private final String name;
  private final InetSocketAddress upstream;
  private final EventLoopGroup loop;
  private final Function<ByteBuf, String> classifier;
  private final Channel server;
  private final Map<String, Link> links = new ConcurrentHashMap<>();
  private final Set<Connection> connections = ConcurrentHashMap.newKeySet();

  /**
   * Listens on {@code front} and forwards to {@code upstream}. {@code classifier} names the peer of
   * a connection from the bytes received so far, or returns null while it needs more.
   */
  public LinkProxy(
      String name,
      InetSocketAddress front,
      InetSocketAddress upstream,
      EventLoopGroup loop,
      Function<ByteBuf, String> classifier)
      throws InterruptedException {
    requireLoopback(front);
    requireLoopback(upstream);
    this.name = name;
    this.upstream = upstream;
    this.loop = loop;
    this.classifier = classifier;
    this.server =
        new ServerBootstrap()
            .group(loop)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.AUTO_READ, false)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(new Connection(ch).clientSide());
                  }
                })
            .bind(front)
            .sync()
            .channel();
  }

  /** A classifier for proxies that serve one process: every connection is {@code peer}. */
  public static Function<ByteBuf, String> fixed(String peer) {
    return bytes -> peer;
  }

  /**
   * Reads the client id of the first Kafka request (size, api key, version, correlation id, client
   * id as a int16-prefixed string, in every header version): {@code flod-replica-N} is broker N's
   * replica fetcher, anything else a client.
   */
  public static String kafkaPeer(ByteBuf bytes) {
    int at = bytes.readerIndex();
    if (bytes.readableBytes() < 14) {
      return null;
    }
    short length = bytes.getShort(at + 12);
    if (length < 0) {
      return "client";
    }
    if (bytes.readableBytes() < 14 + length) {
      return null;
    }
    String clientId =
        bytes.toString(at + 14, length, java.nio.charset.StandardCharsets.UTF_8).trim();
    return clientId.startsWith("flod-replica-")
        ? "broker-" + clientId.substring("flod-replica-".length())
        : "client";
  }

  private static void requireLoopback(InetSocketAddress address) {
    if (!address.getAddress().isLoopbackAddress()) {
      throw new IllegalArgumentException("the fault proxy only works on loopback: " + address);
    }
  }

  public InetSocketAddress front() {
    return (InetSocketAddress) server.localAddress();
  }

  /** Sets what happens to {@code peer}'s bytes ({@link #ANY} for peers without a link). */
  public void set(String peer, Link link) {
    if (link.equals(Link.OPEN)) {
      links.remove(peer);
    } else {
      links.put(peer, link);
    }
    log.info("proxy {}: link to {} now {}", name, peer, link);
    connections.forEach(Connection::linkChanged);
  }

  /** Opens every link. */
  public void healAll() {
    links.clear();
    log.info("proxy {}: all links open", name);
    connections.forEach(Connection::linkChanged);
  }

  /** Closes every connection of {@code peer} ({@link #ANY}: all), as a connection reset would. */
  public void reset(String peer) {
    for (Connection c : connections) {
      if (ANY.equals(peer) || peer.equals(c.peer)) {
        c.close();
      }
    }
  }

  Link linkOf(String peer) {
    Link link = peer == null ? null : links.get(peer);
    if (link == null) {
      link = links.get(ANY);
    }
    return link == null ? Link.OPEN : link;
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    connections.forEach(Connection::close);
  }

  @Override
  public String toString() {
    return name + " " + front() + " -> " + upstream;
  }

  /** One proxied connection: the accepted client channel and the channel to the upstream. */
  private final class Connection {
    private final Channel client;
    private Channel server;
    private volatile String peer;
    private ByteBuf sniffed = Unpooled.buffer();
    private final Direction toUpstream = new Direction(true);
    private final Direction fromUpstream = new Direction(false);

    Connection(Channel client) {
      this.client = client;
    }

    ChannelInboundHandlerAdapter clientSide() {
      return new ChannelInboundHandlerAdapter() {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
          connections.add(Connection.this);
          new Bootstrap()
              .group(client.eventLoop())
              .channel(NioSocketChannel.class)
              .option(ChannelOption.AUTO_READ, false)
              .option(ChannelOption.TCP_NODELAY, true)
              .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 3_000)
              .handler(serverSide())
              .connect(upstream)
              .addListener(
                  (ChannelFutureListener)
                      f -> {
                        if (f.isSuccess()) {
                          server = f.channel();
                          client.read();
                        } else {
                          close();
                        }
                      });
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
          ByteBuf bytes = (ByteBuf) msg;
          if (peer == null) {
            sniffed.writeBytes(bytes);
            bytes.release();
            String named = classifier.apply(sniffed);
            if (named == null) {
              client.read();
              return;
            }
            peer = named;
            bytes = sniffed;
            sniffed = null;
          }
          toUpstream.offer(bytes);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
          close();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
          close();
        }
      };
    }

    ChannelInboundHandlerAdapter serverSide() {
      return new ChannelInboundHandlerAdapter() {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
          ctx.channel().read();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
          fromUpstream.offer((ByteBuf) msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
          close();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
          close();
        }
      };
    }

    void linkChanged() {
      client
          .eventLoop()
          .execute(
              () -> {
                toUpstream.pump();
                fromUpstream.pump();
              });
    }

    void close() {
      connections.remove(this);
      client.close();
      if (server != null) {
        server.close();
      }
    }

    /** One direction of the connection: chunks read but not yet forwarded, in order. */
    private final class Direction {
      private final boolean up;
      private final ArrayDeque<ByteBuf> held = new ArrayDeque<>();
      private long lastDueNanos;

      Direction(boolean up) {
        this.up = up;
      }

      Channel source() {
        return up ? client : server;
      }

      Channel target() {
        return up ? server : client;
      }

      void offer(ByteBuf bytes) {
        held.add(bytes);
        pump();
      }

      /** Runs on the connection's event loop: forwards what the link lets through. */
      void pump() {
        if (target() == null) {
          return;
        }
        Link link = linkOf(peer);
        if (link.stalled(up)) {
          return; // held; read nothing more until the link opens
        }
        boolean forwarded = false;
        while (!held.isEmpty()) {
          ByteBuf bytes = held.poll();
          long now = System.nanoTime();
          long due = Math.max(now + TimeUnit.MILLISECONDS.toNanos(link.delayMs()), lastDueNanos);
          lastDueNanos = due;
          if (due <= now) {
            target().writeAndFlush(bytes).addListener(closeOnFailure());
          } else {
            target()
                .eventLoop()
                .schedule(
                    () -> target().writeAndFlush(bytes).addListener(closeOnFailure()),
                    due - now,
                    TimeUnit.NANOSECONDS);
          }
          forwarded = true;
        }
        if (forwarded || peer != null) {
          source().read();
        }
      }

      private ChannelFutureListener closeOnFailure() {
        return f -> {
          if (!f.isSuccess()) {
            close();
          }
        };
      }
    }
  }
}
