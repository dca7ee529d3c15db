package io.flod.controlplane.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * When a test fails, prints the end of every local machine's agent and broker log: the processes
 * are gone by the time anyone reads the build output, and their logs are in a temporary folder.
 */
final class MachineLogsOnFailure implements TestWatcher {
  private static final int LINES = 80;
  private final Supplier<Path> machines;

  MachineLogsOnFailure(Supplier<Path> machines) {
    this.machines = machines;
  }

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    Path root = machines.get();
    if (!Files.isDirectory(root)) {
      return;
    }
    try (Stream<Path> files = Files.walk(root)) {
      for (Path log : files.filter(f -> f.toString().endsWith(".log")).sorted().toList()) {
        // Latin-1 reads any bytes: a log cut mid-character by a SIGKILL must still print.
        List<String> lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
        System.out.printf(
            "---- %s after %s failed: last %d of %d lines of %s%n",
            context.getDisplayName(),
            cause.getClass().getSimpleName(),
            Math.min(LINES, lines.size()),
            lines.size(),
            root.relativize(log));
        lines.subList(Math.max(0, lines.size() - LINES), lines.size()).forEach(System.out::println);
      }
    } catch (IOException | RuntimeException e) {
      System.out.println("---- cannot read the machines' logs: " + e);
    }
  }
}
