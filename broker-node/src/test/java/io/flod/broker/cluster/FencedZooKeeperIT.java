package io.flod.broker.cluster;

import static io.flod.broker.support.ZkProbe.refused;
import static io.flod.broker.support.ZkProbe.tree;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.client.ZKClientConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two clusters in one fenced ZooKeeper, each made by Helix (as its brokers make it) under its own
 * identity and root: cluster a's identity, the anonymous and an impostor reach nothing of cluster
 * b's, nor the top of the tree.
 */
class FencedZooKeeperIT {
  private static final Map<String, String> PASSWORDS =
      Map.of("op", "op-secret", "cluster-a", "a-secret", "cluster-b", "b-secret");

  @TempDir Path dir;
  private EmbeddedZooKeeper zk;
  private final List<ZooKeeper> clients = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    zk = EmbeddedZooKeeper.startFenced(dir, 0, new ZkFence("op"), PASSWORDS::get);
    ZooKeeper operator = client(ZkLogin.clientConfig("op", "op-secret"));
    ZkFence fence = new ZkFence("op");
    operator.create(
        ZkFence.CLUSTERS, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
    for (String key : List.of("a", "b")) {
      operator.create(ZkFence.root(key), new byte[0], fence.rootAcl(key), CreateMode.PERSISTENT);
      // Helix takes the JVM's identity, as in a broker or agent of that cluster.
      ZkLogin.useIdentity(ZkFence.clusterUser(key), PASSWORDS.get(ZkFence.clusterUser(key)));
      try {
        // A controller connects Helix managers, which wait for the session's SASL login.
        ClusterController.start(zk.connectString() + ZkFence.root(key), "flod-" + key).close();
      } finally {
        ZkLogin.clearIdentity();
      }
    }
    ZooKeeper b = client(ZkLogin.clientConfig("cluster-b", "b-secret"), ZkFence.root("b"));
    b.create(
        "/flod-b/secret",
        "b's keys".getBytes(StandardCharsets.UTF_8),
        ZooDefs.Ids.OPEN_ACL_UNSAFE,
        CreateMode.PERSISTENT);
  }

  @AfterEach
  void stop() throws Exception {
    for (ZooKeeper client : clients) {
      client.close();
    }
    zk.close();
  }

  @Test
  void aClusterReachesEveryPathOfItsOwnAndNoneOfAnotherOrTheTop() throws Exception {
    ZooKeeper a = client(ZkLogin.clientConfig("cluster-a", "a-secret"));
    assertTrue(a.getChildren(ZkFence.root("a"), false).contains("flod-a"));
    a.create(
        "/clusters/a/flod-a/mine", new byte[1], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
    assertEquals(1, a.getData("/clusters/a/flod-a/mine", false, null).length);
    a.delete("/clusters/a/flod-a/mine", -1);

    List<String> bPaths = tree(client(ZkLogin.clientConfig("op", "op-secret")), ZkFence.root("b"));
    assertTrue(bPaths.size() > 20, "Helix made cluster b's tree: " + bPaths.size() + " nodes");
    assertTrue(bPaths.contains("/clusters/b/flod-b/secret"));
    for (String path : bPaths) {
      refused(() -> a.getData(path, false, null), "read " + path);
      refused(() -> a.getChildren(path, false), "list " + path);
      refused(() -> a.setData(path, new byte[0], -1), "write " + path);
      refused(() -> a.getACL(path, null), "ACL of " + path);
      refused(
          () ->
              a.create(
                  path + "/x", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
          "create under " + path);
    }
    refused(() -> a.delete("/clusters/b/flod-b/secret", -1), "delete b's node");
    refused(
        () -> a.multi(List.of(Op.setData("/clusters/b/flod-b/secret", new byte[0], -1))),
        "write b's node in a multi");
    for (String top : List.of("/", ZkFence.CLUSTERS, "/zookeeper")) {
      refused(() -> a.getChildren(top, false), "list " + top);
      refused(() -> a.getData(top, false, null), "read " + top);
    }
    refused(
        () -> a.create("/evil", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
        "create at the top");
    refused(() -> a.setACL(ZkFence.root("a"), ZooDefs.Ids.OPEN_ACL_UNSAFE, -1), "open its root");
    refused(() -> a.delete(ZkFence.root("a"), -1), "remove its root");
  }

  @Test
  void anAnonymousSessionReachesNothing() throws Exception {
    ZKClientConfig anonymous = new ZKClientConfig();
    anonymous.setProperty(ZKClientConfig.ENABLE_CLIENT_SASL_KEY, "false");
    ZooKeeper nobody = client(anonymous);
    for (String path :
        List.of("/", ZkFence.CLUSTERS, ZkFence.root("a"), "/clusters/b/flod-b/secret")) {
      refused(() -> nobody.getData(path, false, null), "read " + path);
      refused(() -> nobody.getChildren(path, false), "list " + path);
    }
    refused(
        () -> nobody.create("/x", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
        "create at the top");
  }

  @Test
  void anotherClustersNameWithoutItsPasswordIsRefusedAtLogin() throws Exception {
    CountDownLatch failed = new CountDownLatch(1);
    ZooKeeper impostor =
        new ZooKeeper(
            zk.connectString(),
            10_000,
            event -> {
              if (event.getState() == Watcher.Event.KeeperState.AuthFailed) {
                failed.countDown();
              }
            },
            ZkLogin.clientConfig("cluster-b", "a-secret"));
    clients.add(impostor);
    assertTrue(failed.await(10, TimeUnit.SECONDS), "the login failed");
    assertThrows(
        KeeperException.class, () -> impostor.getData("/clusters/b/flod-b/secret", false, null));
  }

  private ZooKeeper client(ZKClientConfig config) throws Exception {
    return client(config, "");
  }

  private ZooKeeper client(ZKClientConfig config, String chroot) throws Exception {
    CountDownLatch connected = new CountDownLatch(1);
    ZooKeeper client =
        new ZooKeeper(
            zk.connectString() + chroot,
            10_000,
            event -> {
              if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
              }
            },
            config);
    clients.add(client);
    assertTrue(connected.await(10, TimeUnit.SECONDS), "connected");
    assertNotNull(client.getSessionId());
    return client;
  }
}
