package io.flod.broker.cluster;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.apache.zookeeper.ZooDefs.Perms;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.junit.jupiter.api.Test;

class ZkFenceTest {
  private final ZkFence fence = new ZkFence("op");
  private final Map<String, List<ACL>> nodes =
      Map.of(
          "/clusters/a", fence.rootAcl("a"),
          "/clusters/b", fence.rootAcl("b"),
          "/flod-old", List.of());
  private static final List<Id> A = List.of(new Id("ip", "127.0.0.1"), new Id("sasl", "cluster-a"));
  private static final List<Id> ANONYMOUS = List.of(new Id("ip", "127.0.0.1"));

  private boolean allows(String path, int perm, List<Id> ids) {
    return fence.allows(path, perm, ids, nodes::get);
  }

  @Test
  void aClusterOwnsEverythingBelowItsRootAndMayOnlyReadTheRootItself() {
    assertTrue(allows("/clusters/a/flod-a/IDEALSTATES", Perms.WRITE, A));
    assertTrue(allows("/clusters/a/new-node", Perms.CREATE, A));
    assertTrue(allows("/clusters/a", Perms.READ, A));
    assertFalse(allows("/clusters/a", Perms.DELETE, A));
    assertFalse(allows("/clusters/a", Perms.ADMIN, A));
  }

  @Test
  void aClusterReachesNoOtherClusterNorTheTopNorAnUnmadeRoot() {
    assertFalse(allows("/clusters/b", Perms.READ, A));
    assertFalse(allows("/clusters/b/flod-b/PROPERTYSTORE/flod/sas-rules", Perms.READ, A));
    assertFalse(allows("/clusters/ab/x", Perms.READ, A), "a name that starts like its own");
    assertFalse(allows("/clusters/c", Perms.CREATE, A));
    assertFalse(allows("/clusters", Perms.READ, A));
    assertFalse(allows("/clusters/", Perms.READ, A));
    assertFalse(allows("/", Perms.READ, A));
    assertFalse(allows("/zookeeper/config", Perms.READ, A));
    assertFalse(allows("/flod-old/CONFIGS", Perms.READ, A), "nor a cluster from before roots");
    assertFalse(allows(null, Perms.WRITE, A));
  }

  @Test
  void anImpostorNamingTheClusterInAnotherSchemeIsNotIt() {
    List<Id> digest = List.of(new Id("digest", "cluster-a"));
    assertFalse(allows("/clusters/a/flod-a", Perms.READ, digest));
  }

  @Test
  void theOperatorMayDoAnything() {
    List<Id> op = List.of(new Id("sasl", "op"));
    assertTrue(allows("/", Perms.READ, op));
    assertTrue(allows("/clusters/b", Perms.DELETE, op));
    assertTrue(allows(null, Perms.WRITE, op));
  }

  @Test
  void anonymousSessionsReachOnlyTheTreesOfClustersFromBeforeRoots() {
    assertTrue(allows("/flod-old/CONFIGS", Perms.WRITE, ANONYMOUS));
    assertTrue(allows("/flod-old", Perms.READ, ANONYMOUS));
    assertFalse(allows("/flod-old", Perms.DELETE, ANONYMOUS));
    assertFalse(allows("/flod-new", Perms.CREATE, ANONYMOUS), "no new tree at the top");
    assertFalse(allows("/clusters/a/flod-a", Perms.READ, ANONYMOUS));
    assertFalse(allows("/", Perms.READ, ANONYMOUS));
  }
}
