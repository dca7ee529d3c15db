package io.flod.terraform.resource;

import com.fasterxml.jackson.databind.JsonNode;
import io.flod.api.client.FlodClient;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The control plane's REST API as the provider uses it: calls under the configured tenant, API
 * errors turned into diagnostics on the attribute at fault, and waiting on long operations.
 */
public final class FlodApi {
  private final FlodClient client;
  private final String tenant;
  private final BooleanSupplier stopping;

  public FlodApi(FlodClient client, String tenant, BooleanSupplier stopping) {
    this.client = client;
    this.tenant = tenant;
    this.stopping = stopping;
  }

  public String tenant() {
    return tenant;
  }

  public FlodClient.Response call(String method, String path, Object body) {
    try {
      return client.call(method, path.startsWith("/") ? path.substring(1) : path, body);
    } catch (FlodClient.ApiError e) {
      throw problem(e);
    } catch (UncheckedIOException e) {
      throw new ProviderException(
          "Flod API unreachable",
          "Could not reach the Flod control plane at " + client.base() + ": " + e.getMessage());
    }
  }

  /**
   * DELETE; an object already gone (404) counts as deleted. Returns the operation's location for a
   * long delete, else null.
   */
  public String deleteIfPresent(String path) {
    try {
      return call("DELETE", path, null).location();
    } catch (ProviderException e) {
      if (e.isHttp(404)) {
        return null;
      }
      throw e;
    }
  }

  /** GET, or empty when the object does not exist (404). */
  public Optional<JsonNode> find(String path) {
    try {
      return Optional.ofNullable(call("GET", path, null).body());
    } catch (ProviderException e) {
      if (e.isHttp(404)) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /**
   * Waits until the operation at {@code location} ends. Failed or canceled operations, a timeout
   * and a Terraform stop end in an error; the object is found again by a later apply.
   */
  public void awaitOperation(String location, Duration timeout, String what) {
    await(
        what,
        timeout,
        () -> {
          JsonNode op = call("GET", location, null).body();
          String status = op.path("status").asText();
          if (status.equals("Failed") || status.equals("Canceled")) {
            throw new ProviderException(
                what + " " + status.toLowerCase(),
                op.path("error").path("code").asText(status)
                    + ": "
                    + op.path("error").path("message").asText("operation " + location));
          }
          return status.equals("Succeeded")
              ? null
              : "Operation "
                  + location
                  + " is still "
                  + status
                  + " ("
                  + op.path("percentComplete").asInt()
                  + "%)";
        });
  }

  /**
   * Polls once a second until {@code pending} returns null (done); it returns what is still pending
   * otherwise, or throws to fail. A timeout or a Terraform stop ends the wait with an error that
   * says the change goes on in the control plane, where a later apply finds it again.
   */
  public void await(String what, Duration timeout, Supplier<String> pending) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      String still = pending.get();
      if (still == null) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new ProviderException(
            what + " timed out",
            still
                + " after "
                + timeout
                + ". It goes on in the control plane; a later terraform apply finds the object"
                + " again and waits for it.");
      }
      if (stopping.getAsBoolean()) {
        throw new ProviderException(
            what + " interrupted",
            "Terraform asked the provider to stop. "
                + still
                + "; it goes on in the control plane and a later terraform apply resumes from"
                + " it.");
      }
      try {
        Thread.sleep(1_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ProviderException(what + " interrupted", "The provider was interrupted.");
      }
    }
  }

  private static ProviderException problem(FlodClient.ApiError e) {
    JsonNode problem = e.problem();
    String title = problem == null ? "Flod API error" : problem.path("title").asText("API error");
    String attribute = null;
    String detail = e.getMessage();
    if (problem != null && problem.path("errors").size() > 0) {
      JsonNode first = problem.path("errors").get(0);
      attribute = snake(first.path("field").asText());
      detail = first.path("field").asText() + ": " + first.path("message").asText();
      if (problem.path("errors").size() > 1) {
        detail += " (and " + (problem.path("errors").size() - 1) + " more)";
      }
      detail = "HTTP " + e.status() + ": " + detail;
    }
    return new ProviderException(title, detail, attribute, e.status());
  }

  /** {@code nodeCount} (a field of the API) to {@code node_count} (the attribute). */
  static String snake(String field) {
    String last = field.substring(field.lastIndexOf('.') + 1);
    return last.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase();
  }
}
