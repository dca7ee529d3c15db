package io.flod.controlplane.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flod.broker.auth.SasToken;
import io.flod.broker.support.TestCluster;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/flod up} as a user runs it: the script starts everything, prints the facts as a JSON
 * line, the printed connection string works for Kafka clients and a SAS token signed with its key
 * for HTTP publishing, and SIGTERM (or Ctrl-C, which runs the same shutdown) while a producer
 * writes stops every process it started (control plane, PostgreSQL, agents, brokers) within 15 s.
 */
class FlodUpIT {
  @TempDir Path dataDir;

  @Test
  void upPrintsWorkingConnectionFactsAndSigtermWhileProducingStopsEverythingWithin15s()
      throws Exception {
    Path flod = Path.of("").toAbsolutePath().getParent().resolve("bin/flod");
    assertTrue(Files.isExecutable(flod), flod + " is the launcher");
    Process up =
        new ProcessBuilder(
                flod.toString(),
                "up",
                "--nodes",
                "1",
                "--port",
                "0",
                "--data-dir",
                dataDir.toString(),
                "--json")
            .redirectError(dataDir.resolve("up.log").toFile())
            .start();
    List<Long> started = new ArrayList<>();
    BackgroundProducer producing = null;
    long stoppedMs;
    try {
      BufferedReader out =
          new BufferedReader(new InputStreamReader(up.getInputStream(), StandardCharsets.UTF_8));
      JsonNode facts =
          CompletableFuture.supplyAsync(
                  () -> {
                    try {
                      for (String line; (line = out.readLine()) != null; ) {
                        if (line.startsWith("{")) {
                          return new ObjectMapper().readTree(line);
                        }
                      }
                    } catch (IOException e) {
                      // up ended
                    }
                    return null;
                  })
              .get(5, TimeUnit.MINUTES);
      assertNotNull(facts, "bin/flod up printed its JSON line");
      for (String field : List.of("api", "apiKey", "bootstrapServers", "cluster", "httpEndpoint")) {
        assertTrue(facts.hasNonNull(field), field + " in " + facts);
      }
      started.addAll(pids());
      String connection = facts.get("connectionString").asText();

      Map<String, Object> props = new HashMap<>(TestCluster.saslPlain(connection));
      props.put("bootstrap.servers", facts.get("bootstrapServers").asText());
      try (KafkaProducer<String, String> producer =
          new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
        producer.send(new ProducerRecord<>("events", "k", "from java")).get(30, TimeUnit.SECONDS);
      }
      String key = connection.replaceAll(".*SharedAccessKey=([^;]+).*", "$1");
      String endpoint = connection.replaceAll(".*Endpoint=([^;]+).*", "$1");
      HttpResponse<String> published =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create(facts.get("httpEndpoint").asText() + "/events/messages"))
                      .header(
                          "Authorization",
                          SasToken.sign(
                              endpoint + "events",
                              "demo",
                              key,
                              Instant.now().plusSeconds(600).getEpochSecond()))
                      .POST(HttpRequest.BodyPublishers.ofString("over http"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertEquals(201, published.statusCode(), published.body());
      List<String> read = new ArrayList<>();
      try (KafkaConsumer<String, String> consumer =
          new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
        List<TopicPartition> partitions =
            consumer.partitionsFor("events").stream()
                .map(p -> new TopicPartition("events", p.partition()))
                .toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Awaitility.await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> {
                  for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    read.add(r.value());
                  }
                  return read.containsAll(List.of("from java", "over http"));
                });
      }
      // A producer keeps writing while everything is stopped under it.
      producing = new BackgroundProducer(props);
      producing.awaitAcks(50);
      started.addAll(pids()); // again: a broker restarted meanwhile has a new pid
    } finally {
      // SIGTERM, as a service manager stops it (Ctrl-C, SIGINT, runs the same shutdown hooks);
      // bin/flod exec'd the JVM, so the signal reaches it directly.
      long signalled = System.nanoTime();
      new ProcessBuilder("kill", "-TERM", Long.toString(up.pid())).start().waitFor();
      try {
        Awaitility.await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(100))
            .until(() -> !up.isAlive() && alive(started).isEmpty());
      } catch (ConditionTimeoutException e) {
        // reported below, after the leftovers are killed
      }
      stoppedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled);
      up.destroyForcibly();
      alive(started).forEach(ProcessHandle::destroyForcibly);
      if (producing != null) {
        producing.close();
      }
    }
    assertFalse(started.isEmpty(), "agents, brokers and PostgreSQL were running");
    assertTrue(
        stoppedMs < 15_000,
        "bin/flod up and every process it started ("
            + started
            + ") gone "
            + stoppedMs
            + " ms after SIGTERM");
  }

  private static List<ProcessHandle> alive(List<Long> pids) {
    return pids.stream()
        .map(ProcessHandle::of)
        .flatMap(java.util.Optional::stream)
        .filter(ProcessHandle::isAlive)
        .toList();
  }

  /** Sends records to {@code events} one after another until closed, counting the acknowledged. */
  private static final class BackgroundProducer implements AutoCloseable {
    private final KafkaProducer<String, String> producer;
    private final java.util.concurrent.atomic.AtomicLong acked =
        new java.util.concurrent.atomic.AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;

    BackgroundProducer(Map<String, Object> props) {
      Map<String, Object> settings = new HashMap<>(props);
      settings.put("acks", "all");
      settings.put("linger.ms", 5);
      this.producer = new KafkaProducer<>(settings, new StringSerializer(), new StringSerializer());
      this.thread =
          new Thread(
              () -> {
                for (long n = 0; running; n++) {
                  try {
                    producer
                        .send(new ProducerRecord<>("events", "k" + n, "value " + n))
                        .get(10, TimeUnit.SECONDS);
                    acked.incrementAndGet();
                  } catch (Exception e) {
                    // the brokers are stopping under it: that is the point
                  }
                }
              },
              "flod-up-it-producer");
      thread.setDaemon(true);
      thread.start();
    }

    void awaitAcks(long count) {
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> acked.get() >= count);
    }

    @Override
    public void close() throws InterruptedException {
      running = false;
      producer.close(Duration.ZERO);
      thread.join(15_000);
    }
  }

  /** The processes up started, from their pid files: agents, brokers and the PostgreSQL. */
  private List<Long> pids() throws IOException {
    List<Long> pids = new ArrayList<>();
    try (Stream<Path> files = Files.walk(dataDir)) {
      for (Path f :
          files
              .filter(
                  p ->
                      p.getFileName().toString().endsWith(".pid")
                          || p.getFileName().toString().equals("postmaster.pid"))
              .toList()) {
        try {
          pids.add(Long.parseLong(Files.readAllLines(f).get(0).trim()));
        } catch (RuntimeException e) {
          // a pid file being rewritten: the next one will do
        }
      }
    }
    return pids;
  }
}
