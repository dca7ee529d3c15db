package io.flod.broker.cluster;

import java.io.File;
import java.io.IOException;
import java.util.List;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.server.DataNode;
import org.apache.zookeeper.server.ServerCnxn;
import org.apache.zookeeper.server.ZooKeeperServer;

/**
 * A ZooKeeper server whose every permission check is {@link ZkFence}'s: sessions reach only the
 * paths their identity owns. It replaces ZooKeeper's per-node ACL check, which cannot hold here
 * (see ZkFence); reads, writes, watches and multi-operations all pass through this one method.
 */
final class FencedZooKeeperServer extends ZooKeeperServer {
  private final ZkFence fence;

  FencedZooKeeperServer(File snapshots, File txnLog, int tickMs, ZkFence fence) throws IOException {
    super(snapshots, txnLog, tickMs);
    this.fence = fence;
  }

  @Override
  public void checkACL(
      ServerCnxn cnxn, List<ACL> acl, int perm, List<Id> ids, String path, List<ACL> setAcls)
      throws KeeperException.NoAuthException {
    if (!fence.allows(path, perm, ids, this::aclOf)) {
      throw new KeeperException.NoAuthException();
    }
  }

  private List<ACL> aclOf(String path) {
    DataNode node = getZKDatabase().getNode(path);
    return node == null ? null : getZKDatabase().aclForNode(node);
  }
}
