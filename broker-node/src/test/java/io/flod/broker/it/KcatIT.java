package io.flod.broker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.flod.broker.support.InProcessBroker;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * librdkafka, through kcat, against the broker. Skipped with a message where kcat is not installed;
 * {@code .ci/run} installs it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KcatIT {
  private static final int COUNT = 3_000;
  @TempDir static Path tmp;
  private InProcessBroker broker;

  @BeforeAll
  void start() {
    assumeTrue(
        io.flod.broker.support.Kcat.installed(),
        "kcat is not installed (apt-get install kcat): skipping librdkafka interop");
    broker = InProcessBroker.start(tmp.resolve("data"));
  }

  @AfterAll
  void stop() {
    if (broker != null) {
      broker.close();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"none", "gzip", "snappy", "lz4", "zstd"})
  void kcatProducesWhatTheJavaConsumerReadsAndReadsWhatTheJavaProducerWrote(String codec)
      throws Exception {
    String fromKcat = "from-kcat-" + codec;
    String fromJava = "from-java-" + codec;
    try (Admin admin = broker.admin()) {
      admin
          .createTopics(
              List.of(new NewTopic(fromKcat, 3, (short) 1), new NewTopic(fromJava, 3, (short) 1)))
          .all()
          .get();
    }

    List<String> lines = new ArrayList<>();
    for (int i = 0; i < COUNT; i++) {
      lines.add("key" + i + ":value" + i);
    }
    Path input = tmp.resolve(fromKcat + ".txt");
    Files.write(input, lines, StandardCharsets.UTF_8);
    run(
        input.toFile(),
        "kcat",
        "-P",
        "-b",
        broker.bootstrapServers(),
        "-t",
        fromKcat,
        "-K:",
        "-z",
        codec,
        "-X",
        "acks=all");
    List<ConsumerRecord<String, String>> read =
        DurabilityIT.readAll(broker.bootstrapServers(), fromKcat, 3, COUNT);
    assertEquals(COUNT, read.size());
    for (ConsumerRecord<String, String> record : read) {
      assertEquals("value" + record.key().substring(3), record.value());
    }

    try (KafkaProducer<String, String> producer = new KafkaProducer<>(broker.producerProps())) {
      for (int i = 0; i < COUNT; i++) {
        producer.send(new ProducerRecord<>(fromJava, "key" + i, "value" + i));
      }
    }
    List<String> consumed =
        run(
            null,
            "kcat",
            "-C",
            "-b",
            broker.bootstrapServers(),
            "-t",
            fromJava,
            "-o",
            "beginning",
            "-e",
            "-f",
            "%k:%s\\n");
    assertEquals(COUNT, consumed.size());
    assertEquals(
        new java.util.TreeSet<>(lines),
        new java.util.TreeSet<>(consumed),
        "kcat read exactly what was produced");
  }

  private static List<String> run(File stdin, String... command) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command);
    if (stdin != null) {
      builder.redirectInput(stdin);
    }
    Process process = builder.start();
    byte[] stderr;
    List<String> out = new ArrayList<>();
    try (var reader = process.inputReader(StandardCharsets.UTF_8)) {
      String line;
      while ((line = reader.readLine()) != null) {
        if (!line.isEmpty()) {
          out.add(line);
        }
      }
    }
    stderr = process.getErrorStream().readAllBytes();
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      process.destroyForcibly();
      throw new AssertionError(
          String.join(" ", command) + " failed: " + new String(stderr, StandardCharsets.UTF_8));
    }
    return out;
  }
}
