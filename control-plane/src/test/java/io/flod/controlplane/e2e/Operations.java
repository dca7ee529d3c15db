package io.flod.controlplane.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.flod.api.client.FlodClient;
import java.time.Duration;
import org.awaitility.Awaitility;

/** Following an operation through the REST API, as the end-to-end tests do. */
final class Operations {
  private Operations() {}

  /** Waits until the operation at {@code location} succeeds; fails at once if it fails. */
  static void awaitSuccess(FlodClient api, String location, Duration limit) {
    Awaitility.await()
        .atMost(limit)
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> {
              JsonNode op = api.get(location).body();
              String status = op.get("status").asText();
              if (status.equals("Failed") || status.equals("Canceled")) {
                throw new AssertionError("operation ended " + status + ": " + op);
              }
              return status.equals("Succeeded");
            });
  }
}
