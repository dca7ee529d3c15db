package io.flod.controlplane.zk;

import io.flod.broker.cluster.BoundedStep;
import io.flod.broker.cluster.EmbeddedZooKeeper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ZooKeeper the managed clusters' Helix state lives in: the one given by {@code --zk}, or, with
 * none, a ZooKeeper server of the control plane's own under its data directory, started and stopped
 * with it. An owned server keeps its data and its port across restarts (the port is remembered in
 * {@code zookeeper/port}), because brokers hold its address. A client session is kept open for the
 * readiness check.
 */
public final class ClusterCoordination implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ClusterCoordination.class);
  private static final int SESSION_TIMEOUT_MS = 10_000;

  private final EmbeddedZooKeeper owned;
  private final String connectString;
  private final ZooKeeper client;

  private ClusterCoordination(EmbeddedZooKeeper owned, String connectString, ZooKeeper client) {
    this.owned = owned;
    this.connectString = connectString;
    this.client = client;
  }

  /** Uses {@code zkConnect}, or starts an owned server under {@code dataDir} when it is null. */
  public static ClusterCoordination start(String zkConnect, Path dataDir) {
    EmbeddedZooKeeper owned = zkConnect == null ? startOwned(dataDir.resolve("zookeeper")) : null;
    String connect = owned != null ? owned.connectString() : zkConnect;
    try {
      ZooKeeper client = connect(connect);
      log.info("ZooKeeper {} ({})", connect, owned != null ? "owned" : "external");
      return new ClusterCoordination(owned, connect, client);
    } catch (IOException e) {
      closeOwned(owned);
      throw new UncheckedIOException("cannot connect to ZooKeeper at " + connect, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closeOwned(owned);
      throw new IllegalStateException("interrupted while connecting to ZooKeeper", e);
    } catch (RuntimeException e) {
      closeOwned(owned);
      throw e;
    }
  }

  /**
   * A ZooKeeper client whose session is established, or an exception saying the server did not
   * answer within the session timeout.
   */
  public static ZooKeeper connect(String connect) throws IOException, InterruptedException {
    CountDownLatch connected = new CountDownLatch(1);
    ZooKeeper client =
        new ZooKeeper(
            connect,
            SESSION_TIMEOUT_MS,
            event -> {
              if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
              }
            });
    if (!connected.await(SESSION_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
      client.close();
      throw new IllegalStateException("ZooKeeper at " + connect + " did not answer");
    }
    return client;
  }

  private static EmbeddedZooKeeper startOwned(Path dir) {
    Path portFile = dir.resolve("port");
    try {
      Files.createDirectories(dir);
      int port =
          Files.exists(portFile)
              ? Integer.parseInt(Files.readString(portFile, StandardCharsets.UTF_8).trim())
              : 0;
      EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dir, port);
      String connect = zk.connectString();
      Files.writeString(
          portFile, connect.substring(connect.lastIndexOf(':') + 1), StandardCharsets.UTF_8);
      return zk;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare ZooKeeper's directory " + dir, e);
    }
  }

  public String connectString() {
    return connectString;
  }

  public boolean owned() {
    return owned != null;
  }

  /** Whether the session to ZooKeeper is up now. */
  public boolean connected() {
    return client.getState().isConnected();
  }

  @Override
  public void close() {
    // A given ZooKeeper may be gone: the control plane stops without waiting for it.
    BoundedStep.run(
        "closing the control plane's ZooKeeper session",
        Duration.ofSeconds(2),
        () -> {
          try {
            client.close();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    closeOwned(owned);
  }

  private static void closeOwned(EmbeddedZooKeeper owned) {
    if (owned != null) {
      owned.close();
    }
  }
}
