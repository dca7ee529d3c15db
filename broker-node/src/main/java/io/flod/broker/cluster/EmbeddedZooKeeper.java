package io.flod.broker.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.zookeeper.server.ServerCnxnFactory;
import org.apache.zookeeper.server.ZooKeeperServer;
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

  /** Starts on {@code port} of the loopback interface (0: a free port). */
  public static EmbeddedZooKeeper start(Path dataDir, int port) {
    try {
      Path snapshots = Files.createDirectories(dataDir.resolve("snapshots"));
      Path txnLog = Files.createDirectories(dataDir.resolve("txn-log"));
      ZooKeeperServer server = new ZooKeeperServer(snapshots.toFile(), txnLog.toFile(), TICK_MS);
      ServerCnxnFactory factory =
          ServerCnxnFactory.createFactory(new InetSocketAddress("127.0.0.1", port), 1000);
      factory.startup(server);
      EmbeddedZooKeeper zk = new EmbeddedZooKeeper(server, factory);
      log.info("embedded ZooKeeper listening on {}, data in {}", zk.connectString, dataDir);
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
