package io.flod.broker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flod.broker.support.InProcessBroker;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Kafka 3.x Java client (copied into target/kafka-3x-client by the build) produces with
 * idempotence and compression, and reads everything back, against the broker.
 */
class LegacyClientIT {
  @TempDir Path dataDir;

  @Test
  void aKafka3ClientProducesAndConsumes() throws Exception {
    Path legacyJar;
    try (Stream<Path> jars = Files.list(Path.of("target", "kafka-3x-client"))) {
      legacyJar =
          jars.filter(p -> p.getFileName().toString().startsWith("kafka-clients-3."))
              .findFirst()
              .orElseThrow();
    }
    // Our test classes and the compression/logging libraries, with the 3.x client instead of 4.x.
    String classpath =
        Stream.concat(
                Stream.of(legacyJar.toString()),
                Arrays.stream(testClasspath().split(File.pathSeparator))
                    .filter(entry -> !entry.contains("kafka-clients")))
            .collect(Collectors.joining(File.pathSeparator));
    try (InProcessBroker broker = InProcessBroker.start(dataDir)) {
      List<String> command =
          new ArrayList<>(
              List.of(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-cp",
                  classpath,
                  LegacyClientProbe.class.getName(),
                  broker.bootstrapServers(),
                  "legacy",
                  "5000"));
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(process.waitFor(120, TimeUnit.SECONDS));
      assertEquals(0, process.exitValue(), output);
      String last = output.lines().filter(l -> l.startsWith("OK ")).findFirst().orElse(output);
      assertTrue(last.startsWith("OK 5000 3."), "a 3.x client read all 5000 records: " + last);
    }
  }

  /** The classpath entries of this JVM, expanding surefire's manifest-only jar if used. */
  private static String testClasspath() throws Exception {
    String classpath = System.getProperty("java.class.path");
    if (!classpath.contains(File.pathSeparator) && classpath.endsWith(".jar")) {
      try (var jar = new java.util.jar.JarFile(classpath)) {
        String manifestPath = jar.getManifest().getMainAttributes().getValue("Class-Path");
        return Arrays.stream(manifestPath.split(" "))
            .map(u -> Path.of(java.net.URI.create(u)).toString())
            .collect(Collectors.joining(File.pathSeparator));
      }
    }
    return classpath;
  }
}
