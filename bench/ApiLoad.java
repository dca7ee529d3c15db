import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Load for the control plane's REST API: seeds TENANTS x CLUSTERS through the API, then runs each
 * route for SECONDS with THREADS concurrent clients and prints requests/s and latency percentiles.
 * Plain JDK (java.net.http), run with Java's single-file launcher: no build, no dependencies.
 *
 *   java bench/ApiLoad.java http://127.0.0.1:8080 OPERATOR_KEY [tenants clusters threads seconds]
 */
public class ApiLoad {
  static HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  static String base;
  static String key;

  static int send(String method, String path, String body) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(base + path))
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
            .header("Authorization", "Bearer " + key)
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(30))
            .build();
    return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  interface Call {
    int run(int worker, int i) throws Exception;
  }

  public static void main(String[] args) throws Exception {
    base = args[0];
    key = args[1];
    int tenants = args.length > 2 ? Integer.parseInt(args[2]) : 100;
    int clusters = args.length > 3 ? Integer.parseInt(args[3]) : 10;
    int threads = args.length > 4 ? Integer.parseInt(args[4]) : 8;
    int seconds = args.length > 5 ? Integer.parseInt(args[5]) : 15;

    long seedStart = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<java.util.concurrent.Future<?>> seeding = new ArrayList<>();
    for (int t = 0; t < tenants; t++) {
      int tenant = t;
      seeding.add(pool.submit(() -> {
        send("POST", "/v1/tenants", "{\"name\":\"t" + tenant + "\"}");
        for (int c = 0; c < clusters; c++) {
          send("POST", "/v1/tenants/t" + tenant + "/clusters",
              "{\"name\":\"c" + c + "\",\"nodeCount\":3,\"nodeSize\":\"standard\",\"zones\":[\"z1\",\"z2\",\"z3\"],"
                  + "\"throughputUnits\":1,\"brokerVersion\":\"4.4\",\"authentication\":\"None\"}");
        }
        return null;
      }));
    }
    for (var f : seeding) {
      f.get();
    }
    System.out.printf("seeded %d tenants x %d clusters in %.1f s%n", tenants, clusters, (System.nanoTime() - seedStart) / 1e9);

    AtomicInteger topicCounter = new AtomicInteger();
    Map<String, Call> routes = new LinkedHashMap<>();
    routes.put("GET /v1/tenants/{t}", (w, i) -> send("GET", "/v1/tenants/t" + rnd(tenants), null));
    routes.put("GET /v1/tenants/{t}/clusters", (w, i) -> send("GET", "/v1/tenants/t" + rnd(tenants) + "/clusters", null));
    routes.put("GET /v1/tenants/{t}/clusters/{c}", (w, i) -> send("GET", "/v1/tenants/t" + rnd(tenants) + "/clusters/c" + rnd(clusters), null));
    routes.put("GET /v1/tenants?pageSize=50", (w, i) -> send("GET", "/v1/tenants?pageSize=50", null));
    routes.put("POST /v1/tenants/{t}/clusters/{c}/topics", (w, i) -> send("POST",
        "/v1/tenants/t" + rnd(tenants) + "/clusters/c" + rnd(clusters) + "/topics",
        "{\"name\":\"topic-" + topicCounter.incrementAndGet() + "\",\"replicationFactor\":3}"));
    System.out.printf("%-44s %10s %9s %9s %9s %8s%n", "route", "req/s", "p50 ms", "p99 ms", "max ms", "errors");
    for (Map.Entry<String, Call> route : routes.entrySet()) {
      measure(pool, threads, Math.min(3, seconds), null, route.getValue()); // warm-up, not reported
      measure(pool, threads, seconds, route.getKey(), route.getValue());
    }
    pool.shutdownNow();
  }

  static int rnd(int n) {
    return ThreadLocalRandom.current().nextInt(n);
  }

  static void measure(ExecutorService pool, int threads, int seconds, String name, Call call) throws Exception {
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    List<long[]> perThread = new ArrayList<>();
    AtomicInteger errors = new AtomicInteger();
    List<java.util.concurrent.Future<long[]>> futures = new ArrayList<>();
    for (int w = 0; w < threads; w++) {
      int worker = w;
      futures.add(pool.submit(() -> {
        long[] samples = new long[1 << 20];
        int n = 0;
        while (System.nanoTime() < end && n < samples.length) {
          long start = System.nanoTime();
          int status = call.run(worker, n);
          samples[n++] = System.nanoTime() - start;
          if (status >= 400) {
            errors.incrementAndGet();
          }
        }
        return Arrays.copyOf(samples, n);
      }));
    }
    for (var f : futures) {
      perThread.add(f.get());
    }
    long[] all = perThread.stream().flatMapToLong(Arrays::stream).sorted().toArray();
    if (name == null) {
      return;
    }
    System.out.printf("%-44s %10.0f %9.2f %9.2f %9.2f %8d%n", name, all.length / (double) seconds,
        all[all.length / 2] / 1e6, all[(int) (all.length * 0.99)] / 1e6, all[all.length - 1] / 1e6, errors.get());
  }
}
