package io.flod.broker.cluster;

import java.util.List;
import java.util.function.Function;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;

/**
 * Who may touch which ZooKeeper path, when one ZooKeeper holds many tenants' clusters. Each managed
 * cluster lives under its own root, {@code /clusters/<key>}, and its machines connect with that
 * root as their chroot and a SASL identity of their own ({@code cluster-<key>}). The root node's
 * ACL names the identities that may enter; below it, every node belongs to them, whatever ACL its
 * creator (Helix creates every node open) gave it. The operator identity (the control plane) may do
 * anything; nobody else may touch the root of the tree, {@code /clusters}, another cluster's root
 * or ZooKeeper's own nodes.
 *
 * <p>Clusters made before roots existed live at the top ({@code /flod-<key>}); their machines
 * connect without an identity, and such unauthenticated sessions keep reaching those trees (and
 * nothing else) until the cluster is recreated. A cluster identity never reaches them.
 *
 * <p>Path rules rather than per-node ACLs, because Helix creates its nodes with an open ACL and
 * offers no way to set one: a rule by path holds for nodes whoever made them.
 */
public final class ZkFence {
  public static final String CLUSTERS = "/clusters";
  private static final String CLUSTER_USER_PREFIX = "cluster-";
  private static final String LEGACY_PREFIX = "/flod-";
  public static final String SASL = "sasl";

  private final String operator;

  /** {@code operator}: the SASL user name of the control plane, which may do anything. */
  public ZkFence(String operator) {
    this.operator = operator;
  }

  public String operator() {
    return operator;
  }

  /** The root a cluster's state lives under, which its machines use as their chroot. */
  public static String root(String clusterKey) {
    return CLUSTERS + "/" + clusterKey;
  }

  /** The SASL user name of a cluster's machines. */
  public static String clusterUser(String clusterKey) {
    return CLUSTER_USER_PREFIX + clusterKey;
  }

  /** The ACL a cluster's root is created with: its machines' identity and the operator. */
  public List<ACL> rootAcl(String clusterKey) {
    // A mutable list: ZooKeeper's client asks it whether it contains null.
    return new java.util.ArrayList<>(
        List.of(
            new ACL(ZooDefs.Perms.ALL, new Id(SASL, clusterUser(clusterKey))),
            new ACL(ZooDefs.Perms.ALL, new Id(SASL, operator))));
  }

  /**
   * Whether a session with {@code ids} may do {@code perm} on {@code path} (null: an operation on
   * no path, such as a reconfiguration). {@code aclOf} gives an existing node's ACL, or null.
   */
  public boolean allows(String path, int perm, List<Id> ids, Function<String, List<ACL>> aclOf) {
    boolean authenticated = false;
    for (Id id : ids) {
      if (SASL.equals(id.getScheme())) {
        if (operator.equals(id.getId())) {
          return true;
        }
        authenticated = true;
      }
    }
    if (path == null) {
      return false;
    }
    if (path.startsWith(CLUSTERS + "/")) {
      int end = path.indexOf('/', CLUSTERS.length() + 1);
      String root = end < 0 ? path : path.substring(0, end);
      if (root.length() == CLUSTERS.length() + 1) {
        return false;
      }
      List<ACL> acl = aclOf.apply(root);
      if (acl == null || !member(acl, ids)) {
        return false;
      }
      // The root itself may be read (a chroot client checks it), never changed or removed.
      return end >= 0 || (perm & ~ZooDefs.Perms.READ) == 0;
    }
    if (!authenticated && path.startsWith(LEGACY_PREFIX)) {
      int end = path.indexOf('/', 1);
      String top = end < 0 ? path : path.substring(0, end);
      return aclOf.apply(top) != null && (end >= 0 || (perm & ~ZooDefs.Perms.READ) == 0);
    }
    return false;
  }

  private static boolean member(List<ACL> acl, List<Id> ids) {
    for (ACL entry : acl) {
      if (SASL.equals(entry.getId().getScheme()) && ids.contains(entry.getId())) {
        return true;
      }
    }
    return false;
  }
}
