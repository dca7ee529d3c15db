package io.flod.controlplane.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flod.broker.cluster.EmbeddedZooKeeper;
import io.flod.controlplane.testing.LinkCutter;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Healing asks the fleet for every partition's ISR before it destroys a machine: with ZooKeeper cut
 * off the answer is an error within a bounded wait, never an empty list (which would read as "no
 * last copy anywhere") and never a reconciler thread stuck for as long as the cut lasts.
 */
class PartitionReplicasReadIT {
  @TempDir Path dir;

  @Test
  void anUnreachableZooKeeperIsAnErrorWithinSecondsNotAnEmptyAnswer() throws Exception {
    try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dir, 0);
        LinkCutter link = LinkCutter.to(zk.connectString());
        HelixBrokerFleet fleet = new HelixBrokerFleet(link.address(), null)) {
      UUID cluster = UUID.randomUUID();
      assertThrows(IllegalStateException.class, () -> fleet.partitionReplicas(cluster));
      fleet.open(cluster);
      assertEquals(List.of(), fleet.partitionReplicas(cluster), "no topic yet");
      link.cut();
      long started = System.nanoTime();
      IllegalStateException e =
          assertThrows(IllegalStateException.class, () -> fleet.partitionReplicas(cluster));
      double seconds = (System.nanoTime() - started) / 1e9;
      assertTrue(seconds < 10, "bounded wait: " + seconds + " s");
      assertTrue(e.getMessage().contains("ZooKeeper"), e.getMessage());
      link.heal();
    }
  }
}
