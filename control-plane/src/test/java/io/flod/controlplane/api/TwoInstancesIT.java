package io.flod.controlplane.api;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flod.controlplane.ControlPlane;
import io.flod.controlplane.api.ApiClient.Reply;
import io.flod.controlplane.cluster.InMemoryFakeProvisionerAccess;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two control-plane instances share one database and one (fake) cloud. While one instance's pass
 * over a cluster is stuck in a slow provider call, the other instance never works on that cluster;
 * once the call returns, the operation completes with no machine made twice.
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
    try (ControlPlane a =
        ControlPlane.builder()
            .dataDir(first)
            .database(new ControlPlane.DatabaseSettings(null, null, null))
            .operatorKey(null)
            .provisioner(cloud.provisioner())
            .fleet(zk -> cloud.fleet())
            .reconcileIntervalMs(50)
            .start()) {
      String key = a.operatorKey().secret();
      try (ControlPlane b =
          ControlPlane.builder()
              .dataDir(second)
              .database(a.database())
              .operatorKey(key)
              .provisioner(cloud.provisioner())
              .fleet(zk -> cloud.fleet())
              .reconcileIntervalMs(50)
              .start()) {
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
}
