package io.flod.controlplane.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flod.controlplane.db.Database;
import io.flod.controlplane.db.OwnedPostgres;
import io.flod.provisioner.ClusterRef;
import io.flod.provisioner.FencedOutException;
import io.flod.provisioner.Machine;
import io.flod.provisioner.NodeSpec;
import io.flod.provisioner.Provisioner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.hibernate.Session;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fencing tokens against the real PostgreSQL, with two control-plane instances (two pools): a pass
 * whose connection, and with it the cluster's lock, was cut keeps running; once a newer pass has
 * acted, the older one's changes are refused before they reach the provider.
 */
class ReconcileFenceIT {
  @TempDir Path dataDir;
  private OwnedPostgres postgres;
  private Database first;
  private Database second;
  private final UUID tenant = UUID.randomUUID();
  private final UUID clusterId = UUID.randomUUID();

  @BeforeEach
  void start() {
    postgres = OwnedPostgres.start(dataDir, 0);
    first = Database.open(postgres.jdbcUrl(), postgres.user(), "");
    second = Database.open(postgres.jdbcUrl(), postgres.user(), "");
  }

  @AfterEach
  void stop() {
    first.close();
    second.close();
    postgres.close();
  }

  @Test
  void aPassThatLostItsLockCannotActOnceANewerPassHas() {
    RecordingProvisioner cloud = new RecordingProvisioner();
    Session stale = first.sessions().openSession();
    try {
      stale.beginTransaction();
      assertTrue(ClusterReconciler.lock(stale, clusterId));
      ReconcileFence older = ReconcileFence.take(stale, first, clusterId);
      FencedProvisioner olderMachines = new FencedProvisioner(cloud, older, tenant);
      olderMachines.ensure(List.of(new NodeSpec("node-0", "small", "z1", "t0")));
      assertFalse(secondInstanceGetsTheLock(), "the lock holds while its connection lives");

      cutConnectionOf(stale);

      ReconcileFence newer =
          second
              .sessions()
              .fromTransaction(
                  s -> {
                    assertTrue(ClusterReconciler.lock(s, clusterId), "the lock went with it");
                    ReconcileFence taken = ReconcileFence.take(s, second, clusterId);
                    new FencedProvisioner(cloud, taken, tenant).destroy(Set.of("node-0"));
                    return taken;
                  });
      assertTrue(newer.token() > older.token());

      FencedOutException refused =
          assertThrows(
              FencedOutException.class,
              () -> olderMachines.ensure(List.of(new NodeSpec("node-1", "small", "z1", "t1"))));
      assertEquals(newer.token(), refused.newer());
      assertThrows(FencedOutException.class, () -> olderMachines.destroy(Set.of("node-0")));
      assertEquals(
          List.of("ensure node-0 @" + older.token(), "destroy node-0 @" + newer.token()),
          cloud.calls,
          "nothing of the stale pass reached the provider after the newer one acted");
    } finally {
      try {
        stale.close();
      } catch (RuntimeException expected) {
        // Its connection was ended under it: the pool is told and drops it.
      }
    }
  }

  @Test
  void aTokenRecordedLateNeverOverridesANewerOne() {
    RecordingProvisioner cloud = new RecordingProvisioner();
    ReconcileFence older =
        first.sessions().fromTransaction(s -> ReconcileFence.take(s, first, clusterId));
    ReconcileFence newer =
        second.sessions().fromTransaction(s -> ReconcileFence.take(s, second, clusterId));
    new FencedProvisioner(cloud, newer, tenant).destroy(Set.of("node-3"));
    // The older pass had changed nothing yet, so its token was never recorded; recording it now
    // must not move the fence back.
    assertThrows(
        FencedOutException.class,
        () -> new FencedProvisioner(cloud, older, tenant).destroy(Set.of("node-3")));
    new FencedProvisioner(cloud, newer, tenant).destroy(Set.of("node-4"));
    assertEquals(2, cloud.calls.size());
  }

  private boolean secondInstanceGetsTheLock() {
    return second.sessions().fromTransaction(s -> ClusterReconciler.lock(s, clusterId));
  }

  /**
   * As a network partition or an idle-in-transaction timeout would: the server ends the backend.
   */
  private void cutConnectionOf(Session session) {
    int pid = session.createNativeQuery("select pg_backend_pid()", Integer.class).getSingleResult();
    boolean ended =
        second
            .sessions()
            .fromTransaction(
                s ->
                    s.createNativeQuery("select pg_terminate_backend(:pid)", Boolean.class)
                        .setParameter("pid", pid)
                        .getSingleResult());
    assertTrue(ended);
  }

  /** A provider that records what reached it, with the token each call carried. */
  private static final class RecordingProvisioner implements Provisioner {
    final List<String> calls = new ArrayList<>();

    @Override
    public synchronized void ensure(ClusterRef cluster, List<NodeSpec> nodes) {
      nodes.forEach(n -> calls.add("ensure " + n.nodeId() + " @" + cluster.fence()));
    }

    @Override
    public synchronized void destroy(ClusterRef cluster, Set<String> nodeIds) {
      nodeIds.forEach(n -> calls.add("destroy " + n + " @" + cluster.fence()));
    }

    @Override
    public List<Machine> describe(String clusterId) {
      return List.of();
    }
  }
}
