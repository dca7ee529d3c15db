package io.flod.controlplane.api;

import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flod.controlplane.ControlPlane;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The control plane's HTTP API as the tests call it. HTTP/1.1 because Java's client otherwise
 * offers an h2c upgrade, and Grizzly stalls on an upgraded POST.
 */
final class ApiClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  record Reply(int status, String body, HttpResponse<String> raw) {
    /** The body as JSON, or null when there is no body. */
    JsonNode json() {
      try {
        return body.isEmpty() ? null : JSON.readTree(body);
      } catch (JsonProcessingException e) {
        throw new AssertionError("not JSON: " + body, e);
      }
    }

    String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }
  }

  /**
   * Sends one request; {@code key} null sends none, {@code headers} are name, value pairs. No
   * reply, error or not, may carry a Java stack trace.
   */
  Reply call(
      ControlPlane controlPlane,
      String method,
      String path,
      String key,
      String body,
      String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(controlPlane.baseUri() + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .header("Content-Type", "application/json");
    if (key != null) {
      request.header("Authorization", "Bearer " + key);
    }
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    HttpResponse<String> response =
        http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertFalse(
        response.body().contains("Exception") || response.body().contains("\tat "),
        "no stack trace: " + response.body());
    return new Reply(response.statusCode(), response.body(), response);
  }

  /**
   * Sends {@code count} copies of {@code request} at once: each from its own thread, all released
   * by one start gate once every thread is waiting at it, so they reach the server together.
   */
  static List<Reply> atOnce(int count, Callable<Reply> request) throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(count);
    try {
      CountDownLatch ready = new CountDownLatch(count);
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Reply>> sent = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        sent.add(
            threads.submit(
                () -> {
                  ready.countDown();
                  start.await();
                  return request.call();
                }));
      }
      if (!ready.await(30, TimeUnit.SECONDS)) {
        throw new AssertionError("the request threads did not start");
      }
      start.countDown();
      List<Reply> replies = new ArrayList<>();
      for (Future<Reply> reply : sent) {
        replies.add(reply.get(60, TimeUnit.SECONDS));
      }
      return replies;
    } finally {
      threads.shutdownNow();
    }
  }

  /** How many replies had each status, e.g. {201=1, 409=7}. */
  static Map<Integer, Integer> statuses(List<Reply> replies) {
    Map<Integer, Integer> counts = new TreeMap<>();
    replies.forEach(r -> counts.merge(r.status(), 1, Integer::sum));
    return counts;
  }
}
