package io.flod.broker.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.apache.zookeeper.server.ServerCnxnFactory;
import org.apache.zookeeper.server.ZooKeeperServer;
import org.apache.zookeeper.server.auth.ProviderRegistry;
import org.apache.zookeeper.server.auth.SASLAuthenticationProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single ZooKeeper server in this JVM, for local clusters and tests. Its data (snapshots and
 * transaction log) lives under {@code dataDir} and survives restarts. The tick is 500 ms, so
 * session timeouts between 1 and 10 seconds are accepted.
 */
public final class EmbeddedZooKeeper implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedZooKeeper.class);
  private static final int TICK_MS = 500;

  private final ZooKeeperServer server;
  private final ServerCnxnFactory factory;
  private final String connectString;
  private final AtomicBoolean closed = new AtomicBoolean();

  private EmbeddedZooKeeper(ZooKeeperServer server, ServerCnxnFactory factory) {
    this.server = server;
    this.factory = factory;
    this.connectString = "127.0.0.1:" + factory.getLocalPort();
  }

  /** Starts on {@code port} of the loopback interface (0: a free port), open to every client. */
  public static EmbeddedZooKeeper start(Path dataDir, int port) {
    return start(dataDir, port, null, null);
  }

  /**
   * Starts a server that authenticates clients by SASL (DIGEST-MD5, passwords from {@code
   * passwordOf}) and lets each reach only what {@code fence} gives its identity.
   */
  public static EmbeddedZooKeeper startFenced(
      Path dataDir, int port, ZkFence fence, Function<String, String> passwordOf) {
    // With eager ACL checks ZooKeeper asks about a create's parent, not the node made; the fence
    // decides by the node's own path.
    if (Boolean.getBoolean("zookeeper.enableEagerACLCheck")) {
      throw new IllegalStateException(
          "zookeeper.enableEagerACLCheck must be off for a fenced ZooKeeper");
    }
    // Roots name their identities in ACLs of the sasl scheme, which ZooKeeper validates only
    // when that scheme's provider is registered (it is not by default).
    String key = ProviderRegistry.AUTHPROVIDER_PROPERTY_PREFIX + ZkFence.SASL;
    System.setProperty(key, SASLAuthenticationProvider.class.getName());
    ProviderRegistry.addOrUpdateProvider(key);
    return start(dataDir, port, fence, passwordOf);
  }

  private static EmbeddedZooKeeper start(
      Path dataDir, int port, ZkFence fence, Function<String, String> passwordOf) {
    try {
      Path snapshots = Files.createDirectories(dataDir.resolve("snapshots"));
      Path txnLog = Files.createDirectories(dataDir.resolve("txn-log"));
      ZooKeeperServer server =
          fence == null
              ? new ZooKeeperServer(snapshots.toFile(), txnLog.toFile(), TICK_MS)
              : new FencedZooKeeperServer(snapshots.toFile(), txnLog.toFile(), TICK_MS, fence);
      ServerCnxnFactory factory =
          ServerCnxnFactory.createFactory(new InetSocketAddress("127.0.0.1", port), 1000);
      if (fence != null) {
        // Set before the first connection: each connection takes its SASL server from it.
        factory.login = ZkLogin.serverLogin(passwordOf);
      }
      factory.startup(server);
      EmbeddedZooKeeper zk = new EmbeddedZooKeeper(server, factory);
      log.info(
          "embedded ZooKeeper listening on {}, data in {}{}",
          zk.connectString,
          dataDir,
          fence == null ? "" : ", fenced (SASL identities, one root per cluster)");
      return zk;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start embedded ZooKeeper in " + dataDir, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting ZooKeeper", e);
    }
  }

  public String connectString() {
    return connectString;
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    factory.shutdown();
    server.shutdown();
    log.info("embedded ZooKeeper on {} stopped", connectString);
  }
}
