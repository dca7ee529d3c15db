package io.flod.controlplane.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on loopback in front of one address, whose link a test can cut and heal: cut closes
 * every connection through it and black-holes new ones (accepted, never answered, as behind a
 * network partition, so clients wait out their own timeouts); heal forwards again. Plain blocking
 * sockets, two threads per connection: for the handful of connections of a test, not for load.
 *
 * <p>Thread-safe: {@link #cut} and {@link #heal} may be called from any thread.
 */
public final class LinkCutter implements AutoCloseable {
  private final InetSocketAddress target;
  private final ServerSocket server;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final Thread acceptor;
  private volatile boolean cut;
  private volatile boolean closed;

  private LinkCutter(InetSocketAddress target) throws IOException {
    this.target = target;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.acceptor = new Thread(this::accept, "link-cutter-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** A proxy on a free loopback port forwarding to {@code host:port}. */
  public static LinkCutter to(String host, int port) {
    try {
      return new LinkCutter(new InetSocketAddress(host, port));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A proxy in front of a "host:port" address. */
  public static LinkCutter to(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    return to(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
  }

  public int port() {
    return server.getLocalPort();
  }

  /** Where clients connect instead of the target: "127.0.0.1:port". */
  public String address() {
    return server.getInetAddress().getHostAddress() + ":" + port();
  }

  /** Cuts the link: live connections are closed, new ones are held unanswered until healed. */
  public void cut() {
    cut = true;
    closeAll();
  }

  /** Heals the link: held connections are closed (their clients reconnect), new ones forwarded. */
  public void heal() {
    cut = false;
    closeAll();
  }

  public boolean isCut() {
    return cut;
  }

  private void accept() {
    while (!closed) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      open.add(client);
      if (cut) {
        continue; // black-holed: held open, never read, closed at heal
      }
      Socket upstream = new Socket();
      try {
        upstream.connect(target, 5_000);
      } catch (IOException e) {
        close(client);
        close(upstream);
        continue;
      }
      open.add(upstream);
      pump(client, upstream);
      pump(upstream, client);
    }
  }

  private void pump(Socket from, Socket to) {
    Thread thread =
        new Thread(
            () -> {
              byte[] buffer = new byte[16 * 1024];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                  if (cut) {
                    break;
                  }
                  out.write(buffer, 0, n);
                  out.flush();
                }
              } catch (IOException e) {
                // the other side or a cut closed it
              } finally {
                close(from);
                close(to);
              }
            },
            "link-cutter-pump-" + port());
    thread.setDaemon(true);
    thread.start();
  }

  private void closeAll() {
    for (Socket s : open) {
      close(s);
    }
  }

  private void close(Socket s) {
    open.remove(s);
    try {
      s.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      // closing anyway
    }
    closeAll();
  }
}
