package io.flod.controlplane.api;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flod.controlplane.ControlPlane;
import io.flod.controlplane.api.ApiClient.Reply;
import io.flod.controlplane.cluster.InMemoryFakeProvisionerAccess;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two control-plane instances share one database and one (fake) cloud. While one instance's pass
 * over a cluster is stuck in a slow provider call, the other instance never works on that cluster;
 * once the call returns, the operation completes with no machine made twice. When the stuck pass
 * loses its database connection (and with it the lock), the other instance takes over, and the
 * stuck pass's call, arriving late, carries a stale fencing token and is refused.
 */
class TwoInstancesIT {
  @TempDir Path first;
  @TempDir Path second;
  private final ApiClient api = new ApiClient();

  private Reply call(ControlPlane cp, String key, String method, String path, String body)
      throws Exception {
    return api.call(cp, method, path, key, body);
  }

  @Test
  void onlyOneInstanceWorksOnAClusterAtATime() throws Exception {
    InMemoryFakeProvisionerAccess cloud = new InMemoryFakeProvisionerAccess();
    try (ControlPlane a = instance(first, cloud, null)) {
      String key = a.operatorKey().secret();
      try (ControlPlane b = instance(second, cloud, a)) {
        assertEquals(201, call(a, key, "POST", "/v1/tenants", "{\"name\":\"shared\"}").status());
        cloud.closeGate();
        String spec =
            "{\"name\":\"contended\",\"nodeCount\":3,\"nodeSize\":\"standard\",\"zones\":[\"z1\"],"
                + "\"throughputUnits\":1,\"brokerVersion\":\"4.4\"}";
        Reply accepted = call(b, key, "POST", "/v1/tenants/shared/clusters", spec);
        assertEquals(202, accepted.status());
        String operation = URI.create(accepted.header("Location")).getPath();

        await().atMost(Duration.ofSeconds(10)).until(() -> cloud.ensureCalls() >= 1);
        // Both instances keep running passes every 50 ms; neither may enter the locked cluster.
        await()
            .during(Duration.ofMillis(1500))
            .atMost(Duration.ofSeconds(3))
            .until(() -> cloud.ensureCalls() == 1);

        cloud.openGate();
        await()
            .atMost(Duration.ofSeconds(20))
            .until(
                () ->
                    call(a, key, "GET", operation, null)
                        .json()
                        .get("status")
                        .asText()
                        .equals("Succeeded"));
        assertEquals(3, cloud.created(), "three machines, none made twice");
      }
    }
  }

  @Test
  void aPassThatLostItsConnectionIsFencedOutWhileTheOtherInstanceTakesOver() throws Exception {
    InMemoryFakeProvisionerAccess cloud = new InMemoryFakeProvisionerAccess();
    try (ControlPlane a = instance(first, cloud, null)) {
      String key = a.operatorKey().secret();
      try (ControlPlane b = instance(second, cloud, a)) {
        assertEquals(201, call(a, key, "POST", "/v1/tenants", "{\"name\":\"shared\"}").status());
        java.util.concurrent.CountDownLatch held = cloud.holdNextCall();
        String spec =
            "{\"name\":\"partitioned\",\"nodeCount\":3,\"nodeSize\":\"standard\","
                + "\"zones\":[\"z1\"],\"throughputUnits\":1,\"brokerVersion\":\"4.4\"}";
        Reply accepted = call(a, key, "POST", "/v1/tenants/shared/clusters", spec);
        assertEquals(202, accepted.status());
        String operation = URI.create(accepted.header("Location")).getPath();
        await().atMost(Duration.ofSeconds(10)).until(() -> cloud.ensureCalls() >= 1);

        // As a network partition or an idle-in-transaction timeout would: the server ends the held
        // pass's connection, and the cluster's advisory lock goes with it.
        assertEquals(1, endConnectionsHoldingAdvisoryLocks(a.database()));

        await()
            .atMost(Duration.ofSeconds(20))
            .until(
                () ->
                    call(b, key, "GET", operation, null)
                        .json()
                        .get("status")
                        .asText()
                        .equals("Succeeded"));
        assertEquals(3, cloud.created());
        assertEquals(0, cloud.fencedOut());

        held.countDown(); // the stale pass's call reaches the cloud only now
        await().atMost(Duration.ofSeconds(10)).until(() -> cloud.fencedOut() == 1);
        assertEquals(3, cloud.created(), "the late call made nothing");
        assertEquals(3, cloud.machines());
        await()
            .during(Duration.ofSeconds(1))
            .atMost(Duration.ofSeconds(3))
            .until(() -> cloud.machines() == 3 && cloud.created() == 3);
      }
    }
  }

  private static ControlPlane instance(
      Path dataDir, InMemoryFakeProvisionerAccess cloud, ControlPlane shared) throws Exception {
    return ControlPlane.builder()
        .dataDir(dataDir)
        .database(
            shared == null
                ? new ControlPlane.DatabaseSettings(null, null, null)
                : shared.database())
        .operatorKey(shared == null ? null : shared.operatorKey().secret())
        .provisioner(cloud.provisioner())
        .fleet(zk -> cloud.fleet())
        .reconcileIntervalMs(50)
        .start();
  }

  private static int endConnectionsHoldingAdvisoryLocks(ControlPlane.DatabaseSettings db)
      throws Exception {
    try (Connection c =
            DriverManager.getConnection(
                db.jdbcUrl(), db.user(), db.password() == null ? "" : db.password());
        Statement st = c.createStatement();
        ResultSet ended =
            st.executeQuery(
                "select count(*) filter (where pg_terminate_backend(pid)) from pg_locks"
                    + " where locktype = 'advisory' and granted and pid <> pg_backend_pid()")) {
      ended.next();
      return ended.getInt(1);
    }
  }
}
