package io.flod.controlplane.api;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.flod.controlplane.ControlPlane;
import io.flod.controlplane.cluster.InMemoryFakeProvisionerAccess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private HttpResponse<String> call(
      ControlPlane cp, String key, String method, String path, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(cp.baseUri() + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + key)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void onlyOneInstanceWorksOnAClusterAtATime() throws Exception {
    InMemoryFakeProvisionerAccess cloud = new InMemoryFakeProvisionerAccess();
    try (ControlPlane a =
        ControlPlane.start(
            "127.0.0.1",
            0,
            first,
            new ControlPlane.DatabaseSettings(null, null, null),
            null,
            cloud.provisioner(),
            new io.flod.controlplane.topic.PendingTopicPlacement(),
            50)) {
      String key = a.operatorKey().secret();
      try (ControlPlane b =
          ControlPlane.start(
              "127.0.0.1",
              0,
              second,
              a.database(),
              key,
              cloud.provisioner(),
              new io.flod.controlplane.topic.PendingTopicPlacement(),
              50)) {
        assertEquals(
            201, call(a, key, "POST", "/v1/tenants", "{\"name\":\"shared\"}").statusCode());
        cloud.closeGate();
        String spec =
            "{\"name\":\"contended\",\"nodeCount\":3,\"nodeSize\":\"standard\",\"zones\":[\"z1\"],"
                + "\"throughputUnits\":1,\"brokerVersion\":\"4.4\"}";
        HttpResponse<String> accepted = call(b, key, "POST", "/v1/tenants/shared/clusters", spec);
        assertEquals(202, accepted.statusCode());
        String operation =
            URI.create(accepted.headers().firstValue("Location").orElseThrow()).getPath();

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
                    new ObjectMapper()
                        .readTree(call(a, key, "GET", operation, null).body())
                        .get("status")
                        .asText()
                        .equals("Succeeded"));
        assertEquals(3, cloud.created(), "three machines, none made twice");
      }
    }
  }
}
