package io.flod.controlplane.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Where the reconciler wants each node: zones in turn, update domains round after round. */
class DesiredNodesTest {
  private static List<String> placement(int nodes, List<String> zones, int updateDomains) {
    Cluster cluster =
        new Cluster(
            UUID.randomUUID(),
            "c",
            nodes,
            "small",
            zones,
            updateDomains,
            1,
            "4.0",
            "None",
            262_144,
            Instant.now());
    return NodePlan.desired(cluster).stream()
        .map(d -> d.name() + "@" + d.zone() + "/" + d.updateDomain())
        .toList();
  }

  @Test
  void eachRoundOverTheZonesIsTheNextUpdateDomainAndTheyWrapAround() {
    assertEquals(
        List.of(
            "node-0@a/ud0",
            "node-1@b/ud0",
            "node-2@a/ud1",
            "node-3@b/ud1",
            "node-4@a/ud0",
            "node-5@b/ud0"),
        placement(6, List.of("a", "b"), 2));
  }

  @Test
  void oneZoneGivesEveryNodeItsOwnUpdateDomainUpToTheCount() {
    assertEquals(
        List.of("node-0@z/ud0", "node-1@z/ud1", "node-2@z/ud2", "node-3@z/ud0"),
        placement(4, List.of("z"), 3));
  }
}
