package io.flod.controlplane.cluster;

import io.flod.controlplane.db.Database;
import io.flod.provisioner.FencedOutException;
import java.util.UUID;
import org.hibernate.Session;

/**
 * The fencing token of one reconcile pass. The advisory lock keeps two passes over a cluster from
 * running at once only while the holder's database connection lives; a pass whose connection was
 * cut (or that re-takes the lock after committing part of its work) may still be running on a stale
 * view while a newer pass acts. The token stops it: it is taken from a sequence while the lock is
 * held, so later holders have larger tokens, and before each change to machines or brokers the pass
 * records its token (only upwards) and reads back the newest, on a connection of its own. The first
 * time a newer pass has acted, the older one gets a {@link FencedOutException} instead of making
 * its call.
 */
final class ReconcileFence {
  private final Database db;
  private final UUID clusterId;
  private final long token;
  private boolean recorded;

  private ReconcileFence(Database db, UUID clusterId, long token) {
    this.db = db;
    this.clusterId = clusterId;
    this.token = token;
  }

  /** Takes the next token; {@code pass} must hold the cluster's lock. */
  static ReconcileFence take(Session pass, Database db, UUID clusterId) {
    long token =
        pass.createNativeQuery("select nextval('reconcile_fence_seq')", Long.class)
            .getSingleResult();
    return new ReconcileFence(db, clusterId, token);
  }

  UUID clusterId() {
    return clusterId;
  }

  long token() {
    return token;
  }

  /** Returns when no newer pass has acted on the cluster; throws {@link FencedOutException}. */
  void check() {
    long newest =
        db.sessions()
            .fromTransaction(
                s -> {
                  if (!recorded) {
                    // Recorded lazily: passes that change nothing write nothing.
                    s.createNativeMutationQuery(
                            "insert into reconcile_fences (cluster_id, token) values (:c, :t)"
                                + " on conflict (cluster_id) do update set token = excluded.token,"
                                + " recorded_at = now() where reconcile_fences.token < excluded.token")
                        .setParameter("c", clusterId)
                        .setParameter("t", token)
                        .executeUpdate();
                  }
                  return s.createNativeQuery(
                          "select token from reconcile_fences where cluster_id = :c", Long.class)
                      .setParameter("c", clusterId)
                      .getSingleResult();
                });
    recorded = true;
    if (newest != token) {
      throw new FencedOutException(clusterId.toString(), token, newest);
    }
  }
}
