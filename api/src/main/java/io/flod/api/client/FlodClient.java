package io.flod.api.client;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A small client of the control plane's REST API: JSON in and out, a bearer key, and the problem
 * detail of a failed call in the exception. The node agent, {@code bin/flod up} and the tests use
 * it.
 */
public final class FlodClient {
  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  /** A response: status, headers that matter, and the body as JSON (null when empty). */
  public record Response(int status, String location, String etag, JsonNode body) {
    public <T> T as(Class<T> type) {
      try {
        return JSON.treeToValue(body, type);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** A call the API answered with an error; the message is the problem detail. */
  public static final class ApiError extends RuntimeException {
    private final int status;
    private final JsonNode problem;

    ApiError(int status, String detail, JsonNode problem) {
      super("HTTP " + status + ": " + detail);
      this.status = status;
      this.problem = problem;
    }

    public int status() {
      return status;
    }

    /** The problem detail the API answered with (title, detail, field errors), or null. */
    public JsonNode problem() {
      return problem;
    }
  }

  private final URI base;
  private final String key;
  private final HttpClient http;

  public FlodClient(URI base, String key) {
    this.base = base;
    this.key = key;
    // HTTP/1.1: otherwise the client offers an h2c upgrade, and Grizzly stalls on an upgraded POST.
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
  }

  public URI base() {
    return base;
  }

  public Response get(String path) {
    return call("GET", path, null);
  }

  public Response post(String path, Object body) {
    return call("POST", path, body);
  }

  public Response patch(String path, Object body) {
    return call("PATCH", path, body);
  }

  public Response delete(String path) {
    return call("DELETE", path, null);
  }

  /** One call; 4xx and 5xx answers become {@link ApiError}, unreachable servers IOException. */
  public Response call(String method, String path, Object body) {
    try {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(base.resolve(path))
              .timeout(Duration.ofSeconds(30))
              .header("Accept", "application/json");
      if (key != null) {
        request.header("Authorization", "Bearer " + key);
      }
      if (body != null) {
        request
            .header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
      } else {
        request.method(method, HttpRequest.BodyPublishers.noBody());
      }
      HttpResponse<byte[]> response =
          http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      JsonNode json = response.body().length == 0 ? null : JSON.readTree(response.body());
      if (response.statusCode() >= 400) {
        String detail =
            json != null && json.hasNonNull("detail") ? json.get("detail").asText() : "no detail";
        throw new ApiError(response.statusCode(), detail, json);
      }
      return new Response(
          response.statusCode(),
          response.headers().firstValue("Location").orElse(null),
          response.headers().firstValue("ETag").orElse(null),
          json);
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + base.resolve(path) + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
