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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/flod up} as a user runs it: the script starts everything, prints the facts as a JSON
 * line, the printed connection string works for Kafka clients and a SAS token signed with its key
 * for HTTP publishing, and Ctrl-C (SIGINT) stops every process it started.
 */
class FlodUpIT {
  @TempDir Path dataDir;

  @Test
  void upPrintsWorkingConnectionFactsAndCtrlCStopsEverything() throws Exception {
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
    } finally {
      // Ctrl-C: bin/flod exec'd the JVM, so the signal reaches it directly.
      new ProcessBuilder("kill", "-INT", Long.toString(up.pid())).start().waitFor();
      if (!up.waitFor(90, TimeUnit.SECONDS)) {
        up.destroyForcibly();
      }
    }
    assertFalse(up.isAlive(), "bin/flod up ended on Ctrl-C");
    assertFalse(started.isEmpty(), "agents, brokers and PostgreSQL were running");
    for (long pid : started) {
      assertFalse(
          ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
          "pid " + pid + " still runs after Ctrl-C");
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
