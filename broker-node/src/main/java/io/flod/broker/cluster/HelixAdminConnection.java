package io.flod.broker.cluster;

import org.apache.helix.ConfigAccessor;
import org.apache.helix.manager.zk.ZKHelixAdmin;
import org.apache.helix.zookeeper.api.client.HelixZkClient;
import org.apache.helix.zookeeper.datamodel.serializer.ZNRecordSerializer;
import org.apache.helix.zookeeper.impl.factory.DedicatedZkClientFactory;

/**
 * A Helix admin and config accessor on a ZooKeeper client of their own. Helix's {@code new
 * ZKHelixAdmin(String)} shares one connection between clients and presets a shared client's state
 * to {@code SyncConnected}; after a SASL login the expected state is {@code SaslAuthenticated},
 * which a shared client that joined late never sees, so every call that checks the connection waits
 * out its timeout (30 s). A dedicated client follows its own session's states.
 */
public final class HelixAdminConnection implements AutoCloseable {
  private final HelixZkClient client;
  private final ZKHelixAdmin admin;
  private final ConfigAccessor configs;

  private HelixAdminConnection(HelixZkClient client) {
    this.client = client;
    this.admin = new ZKHelixAdmin(client);
    this.configs = new ConfigAccessor(client);
  }

  /** Connects to {@code zk} (a connect string, with a chroot if the cluster has one). */
  public static HelixAdminConnection open(String zk) {
    HelixZkClient.ZkClientConfig config = new HelixZkClient.ZkClientConfig();
    config.setZkSerializer(new ZNRecordSerializer());
    return new HelixAdminConnection(
        DedicatedZkClientFactory.getInstance()
            .buildZkClient(new HelixZkClient.ZkConnectionConfig(zk), config));
  }

  public ZKHelixAdmin admin() {
    return admin;
  }

  public ConfigAccessor configs() {
    return configs;
  }

  @Override
  public void close() {
    admin.close(); // leaves a client it was given open
    client.close();
  }
}
