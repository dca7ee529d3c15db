package io.flod.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tarball cloud machines download (target/flod-VERSION.tar.gz), unpacked as cloud-init unpacks
 * it: its bin/flod runs the agent and the broker from lib/ with no Maven and no source tree, and
 * the broker it starts serves the Kafka clients.
 */
class DistributionIT {
  @TempDir Path dir;

  private Path unpacked() throws Exception {
    Path tarball;
    try (Stream<Path> files = Files.list(Path.of("target"))) {
      tarball =
          files
              .filter(f -> f.getFileName().toString().matches("flod-.*\\.tar\\.gz"))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no flod-*.tar.gz in target/"));
    }
    Path opt = Files.createDirectories(dir.resolve("opt-flod"));
    Process tar =
        new ProcessBuilder(
                "tar",
                "-xzf",
                tarball.toAbsolutePath().toString(),
                "-C",
                opt.toString(),
                "--strip-components=1")
            .redirectErrorStream(true)
            .start();
    String out = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(tar.waitFor(60, TimeUnit.SECONDS) && tar.exitValue() == 0, out);
    return opt;
  }

  @Test
  void theUnpackedDistributionRunsTheAgentAndABrokerThatServesClients() throws Exception {
    Path opt = unpacked();
    Process help =
        new ProcessBuilder(opt.resolve("bin/flod").toString(), "agent", "--help").start();
    String usage = new String(help.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(help.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, help.exitValue(), usage);
    assertTrue(usage.contains("--control-plane"), usage);

    Process broker =
        new ProcessBuilder(
                opt.resolve("bin/flod").toString(),
                "broker",
                "--standalone",
                "--listen",
                "127.0.0.1:0",
                "--data-dir",
                dir.resolve("broker").toString())
            .redirectError(dir.resolve("broker.log").toFile())
            .start();
    try {
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(broker.getInputStream(), StandardCharsets.UTF_8));
      String bootstrap =
          CompletableFuture.supplyAsync(
                  () -> {
                    try {
                      for (String line; (line = out.readLine()) != null; ) {
                        if (line.startsWith("listening on ")) {
                          return line.substring("listening on ".length()).trim();
                        }
                      }
                    } catch (IOException e) {
                      // the broker ended
                    }
                    return null;
                  })
              .get(60, TimeUnit.SECONDS);
      assertNotNull(bootstrap, () -> "the broker did not start: " + log());
      Map<String, Object> props = Map.of("bootstrap.servers", bootstrap);
      try (Admin admin = Admin.create(props)) {
        admin
            .createTopics(List.of(new NewTopic("from-the-tarball", 1, (short) 1)))
            .all()
            .get(30, TimeUnit.SECONDS);
      }
      try (KafkaProducer<String, String> producer =
          new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
        producer.send(new ProducerRecord<>("from-the-tarball", "k", "v")).get(30, TimeUnit.SECONDS);
      }
      try (KafkaConsumer<String, String> consumer =
          new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
        TopicPartition tp = new TopicPartition("from-the-tarball", 0);
        consumer.assign(List.of(tp));
        consumer.seekToBeginning(List.of(tp));
        ConsumerRecords<String, String> read = consumer.poll(Duration.ofSeconds(30));
        assertEquals("v", read.iterator().next().value());
      }
    } finally {
      broker.destroy();
      if (!broker.waitFor(30, TimeUnit.SECONDS)) {
        broker.destroyForcibly();
      }
    }
    assertTrue(log().contains("broker stopped cleanly"), log());
  }

  private String log() {
    try {
      return Files.readString(dir.resolve("broker.log"));
    } catch (IOException e) {
      return e.toString();
    }
  }
}
