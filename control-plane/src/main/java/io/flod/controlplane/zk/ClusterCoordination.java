package io.flod.controlplane.zk;

import io.flod.broker.cluster.BoundedStep;
import io.flod.broker.cluster.EmbeddedZooKeeper;
import io.flod.broker.cluster.ZkFence;
import io.flod.broker.cluster.ZkLogin;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZKUtil;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ZooKeeper the managed clusters' Helix state lives in: the one given by {@code --zk}, or, with
 * none, a ZooKeeper server of the control plane's own under its data directory, started and stopped
 * with it. An owned server keeps its data and its port across restarts (the port is remembered in
 * {@code zookeeper/port}), because brokers hold its address. A client session is kept open for the
 * readiness check and for making clusters' roots.
 *
 * <p>An owned server is fenced ({@link ZkFence}): the control plane logs in as the operator, each
 * cluster's machines as the cluster, and a cluster's identity reaches only its own root. A given
 * ZooKeeper cannot run the fence (it is a server-side check), so there clusters get roots (chroots)
 * but no identity: their separation is by path only.
 */
public final class ClusterCoordination implements ClusterRoots, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ClusterCoordination.class);
  private static final int SESSION_TIMEOUT_MS = 10_000;

  private final EmbeddedZooKeeper owned;
  private final String connectString;
  private final ZkIdentities identities;
  private volatile ZooKeeper client;

  private ClusterCoordination(
      EmbeddedZooKeeper owned, String connectString, ZooKeeper client, ZkIdentities identities) {
    this.owned = owned;
    this.connectString = connectString;
    this.client = client;
    this.identities = identities;
  }

  /** As {@link #start(String, Path, ZkIdentities)}, an owned server unfenced (tests). */
  public static ClusterCoordination start(String zkConnect, Path dataDir) {
    return start(zkConnect, dataDir, null);
  }

  /**
   * Uses {@code zkConnect}, or starts an owned server under {@code dataDir} when it is null, fenced
   * with {@code identities} (null: unfenced). This JVM's ZooKeeper clients log in as the operator
   * from here on when fenced, and anonymously otherwise.
   */
  public static ClusterCoordination start(String zkConnect, Path dataDir, ZkIdentities identities) {
    ZkIdentities fence = zkConnect == null ? identities : null;
    if (fence != null) {
      ZkLogin.useIdentity(ZkIdentities.OPERATOR, fence.operatorPassword());
    } else {
      ZkLogin.clearIdentity();
    }
    EmbeddedZooKeeper owned =
        zkConnect == null ? startOwned(dataDir.resolve("zookeeper"), fence) : null;
    String connect = owned != null ? owned.connectString() : zkConnect;
    try {
      ZooKeeper client = connect(connect);
      log.info(
          "ZooKeeper {} ({}{})",
          connect,
          owned != null ? "owned" : "external",
          fence != null ? ", fenced" : ", not fenced: clusters are separated by path only");
      return new ClusterCoordination(owned, connect, client, fence);
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

  private static EmbeddedZooKeeper startOwned(Path dir, ZkIdentities fence) {
    Path portFile = dir.resolve("port");
    try {
      Files.createDirectories(dir);
      int port =
          Files.exists(portFile)
              ? Integer.parseInt(Files.readString(portFile, StandardCharsets.UTF_8).trim())
              : 0;
      EmbeddedZooKeeper zk =
          fence == null
              ? EmbeddedZooKeeper.start(dir, port)
              : EmbeddedZooKeeper.startFenced(dir, port, fence.fence(), fence::passwordOf);
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

  /** Whether clusters' machines log in with identities of their own. */
  public boolean fenced() {
    return identities != null;
  }

  @Override
  public synchronized Access access(UUID clusterId) {
    String key = clusterId.toString();
    String root = ZkFence.root(key);
    try {
      ZooKeeper zk = session();
      if (zk.exists(root, false) == null) {
        if (zk.exists("/flod-" + key, false) != null) {
          // Made before clusters had roots: it stays at the top, anonymous, until recreated.
          return new Access("", null, null);
        }
        createIfAbsent(zk, ZkFence.CLUSTERS, ZooDefs.Ids.OPEN_ACL_UNSAFE);
        createIfAbsent(
            zk, root, fenced() ? identities.fence().rootAcl(key) : ZooDefs.Ids.OPEN_ACL_UNSAFE);
        log.info("cluster={} ZooKeeper root {} created", clusterId, root);
      }
    } catch (KeeperException e) {
      throw new IllegalStateException("cannot prepare the cluster's ZooKeeper root: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while preparing a ZooKeeper root", e);
    }
    return fenced()
        ? new Access(root, identities.clusterUser(clusterId), identities.clusterPassword(clusterId))
        : new Access(root, null, null);
  }

  @Override
  public synchronized void drop(UUID clusterId) {
    String root = ZkFence.root(clusterId.toString());
    try {
      ZooKeeper zk = session();
      if (zk.exists(root, false) != null) {
        ZKUtil.deleteRecursive(zk, root);
        log.info("cluster={} ZooKeeper root {} removed", clusterId, root);
      }
    } catch (KeeperException e) {
      throw new IllegalStateException("cannot remove the cluster's ZooKeeper root: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while removing a ZooKeeper root", e);
    }
  }

  private static void createIfAbsent(ZooKeeper zk, String path, java.util.List<ACL> acl)
      throws KeeperException, InterruptedException {
    try {
      zk.create(path, new byte[0], acl, CreateMode.PERSISTENT);
    } catch (KeeperException.NodeExistsException e) {
      // made by another instance meanwhile
    }
  }

  /** The session, made again if ZooKeeper expired it (a client cannot resume after that). */
  private ZooKeeper session() throws InterruptedException {
    if (!client.getState().isAlive()) {
      try {
        client = connect(connectString);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot reconnect to ZooKeeper at " + connectString, e);
      }
    }
    return client;
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
            closeClient();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    closeOwned(owned);
    if (identities != null) {
      ZkLogin.clearIdentity(); // this JVM's later clients (of another ZooKeeper) are anonymous
    }
  }

  private synchronized void closeClient() throws InterruptedException {
    client.close();
  }

  private static void closeOwned(EmbeddedZooKeeper owned) {
    if (owned != null) {
      owned.close();
    }
  }
}
