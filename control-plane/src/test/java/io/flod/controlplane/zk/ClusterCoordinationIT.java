package io.flod.controlplane.zk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flod.broker.cluster.EmbeddedZooKeeper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The control plane's ZooKeeper: owned under its data directory, or an external one left alone. */
class ClusterCoordinationIT {
  @TempDir Path dir;

  @Test
  void anOwnedZooKeeperKeepsItsAddressAcrossRestarts() {
    String first;
    try (ClusterCoordination zk = ClusterCoordination.start(null, dir)) {
      assertTrue(zk.owned());
      assertTrue(zk.connected());
      first = zk.connectString();
    }
    try (ClusterCoordination zk = ClusterCoordination.start(null, dir)) {
      assertEquals(first, zk.connectString(), "brokers hold this address");
      assertTrue(zk.connected());
    }
  }

  @Test
  void anExternalZooKeeperIsUsedAndNotStoppedNorCopied() {
    try (EmbeddedZooKeeper external = EmbeddedZooKeeper.start(dir.resolve("external"), 0)) {
      Path dataDir = dir.resolve("control-plane");
      try (ClusterCoordination zk = ClusterCoordination.start(external.connectString(), dataDir)) {
        assertFalse(zk.owned());
        assertTrue(zk.connected());
        assertEquals(external.connectString(), zk.connectString());
      }
      assertFalse(Files.exists(dataDir.resolve("zookeeper")), "nothing started under data-dir");
      try (ClusterCoordination again =
          ClusterCoordination.start(external.connectString(), dataDir)) {
        assertTrue(again.connected(), "the external server outlives the control plane's close");
      }
    }
  }
}
