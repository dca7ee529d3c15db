package io.flod.controlplane.zk;

import java.util.UUID;

/**
 * Where each managed cluster's state lives in ZooKeeper, and who may reach it: a root of its own
 * that its machines use as their chroot, and (when the ZooKeeper is fenced) the identity only its
 * machines and the control plane hold.
 */
public interface ClusterRoots {
  /** A cluster's machines' way into ZooKeeper: their chroot and identity (null: anonymous). */
  record Access(String root, String user, String password) {
    @Override
    public String toString() {
      return "Access[root=" + root + ", user=" + user + "]"; // never the password
    }
  }

  /** The cluster's access, its root created first if it is new. */
  Access access(UUID clusterId);

  /** Removes the cluster's root (its state was dropped before). */
  void drop(UUID clusterId);

  /** Every cluster at the top of the tree, anonymous: a ZooKeeper of one cluster (tests). */
  static ClusterRoots top() {
    return new ClusterRoots() {
      @Override
      public Access access(UUID clusterId) {
        return new Access("", null, null);
      }

      @Override
      public void drop(UUID clusterId) {}
    };
  }
}
