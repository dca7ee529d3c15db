package io.flod.agent;

import io.flod.broker.cluster.ClusterPaths;
import io.flod.broker.cluster.HelixAdminConnection;
import io.flod.broker.cluster.ZkSessionFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.helix.manager.zk.ZKHelixAdmin;
import org.apache.helix.model.ExternalView;
import org.apache.helix.model.InstanceConfig;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's word to the cluster about its broker. When the broker process dies, its ZooKeeper
 * session lingers until it times out (seconds to tens of seconds) and leaders stay on a dead broker
 * meanwhile. The agent ends that session and disables the broker's Helix instance at once: the
 * controller drops the broker from in-sync replica sets and Helix moves leadership within about a
 * second. Enabled again once the restarted broker answers; it then catches up as a follower before
 * it may lead.
 */
final class HelixInstanceSwitch implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HelixInstanceSwitch.class);
  private final String zk;
  private final String cluster;
  private final String instance;
  private HelixAdminConnection admin;

  HelixInstanceSwitch(String zk, String cluster, int brokerId) {
    this.zk = zk;
    this.cluster = cluster;
    this.instance = ClusterPaths.instanceName(brokerId);
  }

  private synchronized ZKHelixAdmin admin() {
    if (admin == null) {
      admin = HelixAdminConnection.open(zk);
    }
    return admin.admin();
  }

  synchronized void disable() {
    try {
      admin().enableInstance(cluster, instance, false);
      log.info("cluster={} instance={} disabled: its broker died", cluster, instance);
    } catch (RuntimeException e) {
      log.warn("cluster={} instance={} could not be disabled: {}", cluster, instance, e.toString());
    }
  }

  /**
   * Ends the dead broker's ZooKeeper session, recorded in {@code sessionFile}: its live instance
   * and current states vanish at once, so Helix may hand leadership to another replica now rather
   * than after the session timeout. Reattaching with the session's id and password and closing it
   * is how ZooKeeper lets a session be ended by someone else.
   */
  void endSession(Path sessionFile) {
    Optional<ZkSessionFile.Session> session = ZkSessionFile.read(sessionFile);
    if (session.isEmpty()) {
      return;
    }
    CountDownLatch attached = new CountDownLatch(1);
    try {
      ZooKeeper zooKeeper =
          new ZooKeeper(
              zk,
              10_000,
              event -> {
                if (event.getState() == Watcher.Event.KeeperState.SyncConnected
                    || event.getState() == Watcher.Event.KeeperState.Expired) {
                  attached.countDown();
                }
              },
              session.get().id(),
              session.get().password());
      try {
        attached.await(5, TimeUnit.SECONDS);
      } finally {
        zooKeeper.close(); // closes the session itself, not only this connection
      }
      log.info(
          "cluster={} instance={} ZooKeeper session {} of the dead broker ended",
          cluster,
          instance,
          session.get().hexId());
    } catch (IOException | InterruptedException | RuntimeException e) {
      log.warn(
          "cluster={} instance={} could not end session {}: {}",
          cluster,
          instance,
          session.get().hexId(),
          e.toString());
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Enables the instance if it exists and is disabled. */
  synchronized void enable() {
    try {
      InstanceConfig config = admin().getInstanceConfig(cluster, instance);
      if (config != null && !config.getInstanceEnabled()) {
        admin().enableInstance(cluster, instance, true);
        log.info("cluster={} instance={} enabled: its broker is back", cluster, instance);
      }
    } catch (RuntimeException e) {
      log.warn("cluster={} instance={} could not be enabled: {}", cluster, instance, e.toString());
    }
  }

  /** Partitions this broker leads, from Helix's external view. */
  synchronized int partitionsLed() {
    try {
      int led = 0;
      for (String resource : admin().getResourcesInCluster(cluster)) {
        ExternalView view = admin().getResourceExternalView(cluster, resource);
        if (view == null) {
          continue;
        }
        for (String partition : view.getPartitionSet()) {
          if (ClusterPaths.LEADER.equals(view.getStateMap(partition).get(instance))) {
            led++;
          }
        }
      }
      return led;
    } catch (RuntimeException e) {
      return -1;
    }
  }

  @Override
  public synchronized void close() {
    if (admin != null) {
      admin.close();
    }
  }
}
