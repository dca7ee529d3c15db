package io.flod.controlplane.zk;

import io.flod.broker.cluster.ZkFence;
import io.flod.controlplane.sas.SecretBox;
import java.util.Base64;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The ZooKeeper identities of the control plane and of each cluster's machines. Passwords are
 * derived from the secrets key (HMAC), never stored: every control-plane instance sharing the key
 * knows them, and the ZooKeeper server checks a login by deriving the same password.
 */
public final class ZkIdentities {
  public static final String OPERATOR = "flod-control-plane";
  private static final Pattern CLUSTER_USER =
      Pattern.compile("cluster-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  private final SecretBox secrets;

  public ZkIdentities(SecretBox secrets) {
    this.secrets = secrets;
  }

  public ZkFence fence() {
    return new ZkFence(OPERATOR);
  }

  public String operatorPassword() {
    return password(OPERATOR);
  }

  public String clusterUser(UUID clusterId) {
    return ZkFence.clusterUser(clusterId.toString());
  }

  public String clusterPassword(UUID clusterId) {
    return password(clusterUser(clusterId));
  }

  /** The password of a user the server should accept, or null for any other name. */
  public String passwordOf(String user) {
    if (OPERATOR.equals(user) || CLUSTER_USER.matcher(user).matches()) {
      return password(user);
    }
    return null;
  }

  private String password(String user) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(secrets.derive("zookeeper-identity/" + user));
  }
}
