package io.flod.broker.faults;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flod.broker.faults.LinkProxy.Link;
import io.netty.buffer.Unpooled;
import io.netty.channel.nio.NioEventLoopGroup;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The proxy against an echo server: open, partitioned, one-way, delayed, reset, per peer. */
class LinkProxyTest {
  private final NioEventLoopGroup loop = new NioEventLoopGroup(1);
  private ServerSocket echo;
  private LinkProxy proxy;

  @BeforeEach
  void start() throws Exception {
    echo = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
    Thread server =
        new Thread(
            () -> {
              while (!echo.isClosed()) {
                try {
                  Socket s = echo.accept();
                  Thread t =
                      new Thread(
                          () -> {
                            try (s;
                                InputStream in = s.getInputStream();
                                OutputStream out = s.getOutputStream()) {
                              in.transferTo(out);
                            } catch (IOException ignored) {
                              // closed
                            }
                          });
                  t.setDaemon(true);
                  t.start();
                } catch (IOException e) {
                  return;
                }
              }
            });
    server.setDaemon(true);
    server.start();
    proxy =
        new LinkProxy(
            "test",
            new InetSocketAddress("127.0.2.9", 0),
            new InetSocketAddress("127.0.0.1", echo.getLocalPort()),
            loop,
            LinkProxy::kafkaPeer);
  }

  @AfterEach
  void stop() throws Exception {
    proxy.close();
    echo.close();
    loop.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
  }

  /** A connection whose first bytes are a Kafka request header with {@code clientId}. */
  private Socket connect(String clientId) throws IOException {
    Socket s = new Socket();
    s.connect(proxy.front(), 2_000);
    s.setSoTimeout(1_000);
    byte[] id = clientId.getBytes(StandardCharsets.UTF_8);
    ByteBuffer header = ByteBuffer.allocate(14 + id.length);
    header.putInt(10 + id.length).putShort((short) 1).putShort((short) 12).putInt(7);
    header.putShort((short) id.length).put(id);
    s.getOutputStream().write(header.array());
    byte[] back = new byte[header.capacity()];
    new DataInputStream(s.getInputStream()).readFully(back);
    assertArrayEquals(header.array(), back);
    return s;
  }

  private static String roundTrip(Socket s, String text) throws IOException {
    s.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
    byte[] back = new byte[text.length()];
    new DataInputStream(s.getInputStream()).readFully(back);
    return new String(back, StandardCharsets.UTF_8);
  }

  @Test
  void aPartitionHoldsOnePeersBytesOnlyAndHealingDeliversThem() throws Exception {
    try (Socket replica = connect("flod-replica-2");
        Socket client = connect("producer-1")) {
      proxy.set("broker-2", Link.PARTITIONED);
      assertEquals("still here", roundTrip(client, "still here"));
      replica.getOutputStream().write("held".getBytes(StandardCharsets.UTF_8));
      assertThrows(SocketTimeoutException.class, () -> replica.getInputStream().read());
      proxy.healAll();
      byte[] back = new byte[4];
      replica.setSoTimeout(5_000);
      new DataInputStream(replica.getInputStream()).readFully(back);
      assertEquals("held", new String(back, StandardCharsets.UTF_8));
    }
  }

  @Test
  void aOneWayPartitionPassesRequestsButHoldsAnswers() throws Exception {
    try (Socket replica = connect("flod-replica-3")) {
      proxy.set("broker-3", new Link(false, true, 0));
      replica.getOutputStream().write("ping".getBytes(StandardCharsets.UTF_8));
      assertThrows(SocketTimeoutException.class, () -> replica.getInputStream().read());
      proxy.set("broker-3", Link.OPEN);
      replica.setSoTimeout(5_000);
      byte[] back = new byte[4];
      new DataInputStream(replica.getInputStream()).readFully(back);
      assertEquals("ping", new String(back, StandardCharsets.UTF_8));
    }
  }

  @Test
  void aDelayedLinkKeepsOrder() throws Exception {
    try (Socket client = connect("c")) {
      proxy.set(LinkProxy.ANY, Link.delayed(300));
      long start = System.nanoTime();
      client.setSoTimeout(5_000);
      assertEquals("abc", roundTrip(client, "abc"));
      assertTrue((System.nanoTime() - start) / 1_000_000 >= 550, "both directions delayed");
      proxy.set(LinkProxy.ANY, Link.OPEN);
      assertEquals("def", roundTrip(client, "def"));
    }
  }

  @Test
  void aResetClosesThePeersConnections() throws Exception {
    try (Socket replica = connect("flod-replica-1")) {
      proxy.reset("broker-1");
      replica.setSoTimeout(5_000);
      assertEquals(-1, replica.getInputStream().read());
    }
  }

  @Test
  void theClassifierNamesReplicaFetchersAndClients() {
    byte[] id = "flod-replica-12".getBytes(StandardCharsets.UTF_8);
    ByteBuffer header = ByteBuffer.allocate(14 + id.length);
    header.putInt(0).putShort((short) 1).putShort((short) 12).putInt(1);
    header.putShort((short) id.length).put(id);
    assertEquals("broker-12", LinkProxy.kafkaPeer(Unpooled.wrappedBuffer(header.array())));
    assertEquals(null, LinkProxy.kafkaPeer(Unpooled.wrappedBuffer(header.array(), 0, 16)));
  }
}
