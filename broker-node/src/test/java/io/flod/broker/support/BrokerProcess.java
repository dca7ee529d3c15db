package io.flod.broker.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A standalone broker in its own JVM, started the way {@code bin/flod broker} starts it, so a test
 * can SIGKILL it. The child's stderr goes to a file next to its data directory.
 */
public final class BrokerProcess implements AutoCloseable {
  private final Process process;
  private final String bootstrapServers;
  private final String httpsUrl;
  private final Path logFile;

  private BrokerProcess(Process process, String bootstrapServers, String httpsUrl, Path logFile) {
    this.process = process;
    this.logFile = logFile;
    this.bootstrapServers = bootstrapServers;
    this.httpsUrl = httpsUrl;
  }

  public static BrokerProcess start(Path dataDir, String... extraArgs) throws IOException {
    List<String> args = new ArrayList<>(List.of("--standalone"));
    args.addAll(List.of(extraArgs));
    return startWith(dataDir, args);
  }

  /** A broker in cluster mode: {@code args} carry --zk, --cluster, --node-id, --zone and so on. */
  public static BrokerProcess startClustered(Path dataDir, String... args) throws IOException {
    return startWith(dataDir, List.of(args));
  }

  /**
   * A broker in cluster mode listening on {@code listen} (HOST:PORT) instead of a free port of
   * 127.0.0.1, for tests that put a proxy in front of it (io.flod.broker.faults).
   */
  public static BrokerProcess startClusteredOn(Path dataDir, String listen, String... args)
      throws IOException {
    return startWith(dataDir, listen, List.of(args));
  }

  private static BrokerProcess startWith(Path dataDir, List<String> extraArgs) throws IOException {
    return startWith(dataDir, "127.0.0.1:0", extraArgs);
  }

  private static BrokerProcess startWith(Path dataDir, String listen, List<String> extraArgs)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("io.flod.broker.cli.FlodBrokerMain");
    command.addAll(List.of("broker", "--listen", listen, "--data-dir", dataDir.toString()));
    command.addAll(extraArgs);
    Path logFile = dataDir.resolveSibling(dataDir.getFileName() + "-broker.log");
    Process process =
        new ProcessBuilder(command)
            .redirectError(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
            .start();
    BufferedReader stdout =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String[] https = new String[1];
    CompletableFuture<String> ready =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                String line;
                while ((line = stdout.readLine()) != null) {
                  if (line.startsWith("publishing over HTTP on ")) {
                    https[0] = line.substring("publishing over HTTP on ".length()).trim();
                  }
                  if (line.startsWith("listening on ")) {
                    return line.substring("listening on ".length()).trim();
                  }
                }
                return null;
              } catch (IOException e) {
                return null;
              }
            });
    try {
      String bootstrap = ready.get(60, TimeUnit.SECONDS);
      if (bootstrap == null) {
        throw new IOException("broker exited before it was ready, code " + process.waitFor());
      }
      return new BrokerProcess(process, bootstrap, https[0], logFile);
    } catch (Exception e) {
      process.destroyForcibly();
      throw new IOException("broker did not become ready", e);
    }
  }

  /** Where the broker's log (its stderr) goes. */
  public Path logFile() {
    return logFile;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** The HTTPS head's URL, or null when the broker runs without one. */
  public String httpsUrl() {
    return httpsUrl;
  }

  /** SIGKILL: no shutdown hook, no flush, no clean-shutdown marker. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGSTOP: the process freezes, sockets and ZooKeeper session included, as in a long GC. */
  public void pause() throws IOException, InterruptedException {
    signal("STOP");
  }

  /** SIGCONT after {@link #pause}. */
  public void resume() throws IOException, InterruptedException {
    signal("CONT");
  }

  private void signal(String name) throws IOException, InterruptedException {
    int exit =
        new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start().waitFor();
    if (exit != 0) {
      throw new IOException("kill -" + name + " " + process.pid() + " exited with " + exit);
    }
  }

  /** SIGTERM, then waits for the clean shutdown; returns the exit code. */
  public int terminate() throws InterruptedException {
    return terminate(java.time.Duration.ofSeconds(30));
  }

  /**
   * SIGTERM, then waits up to {@code patience} for the process to end; SIGKILL and an {@link
   * IllegalStateException} if it did not. Returns the exit code.
   */
  public int terminate(java.time.Duration patience) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(patience.toMillis(), TimeUnit.MILLISECONDS)) {
      dumpThreads();
      process.destroyForcibly();
      throw new IllegalStateException(
          "broker did not stop within " + patience.toSeconds() + " s of SIGTERM");
    }
    return process.exitValue();
  }

  /** Appends the stuck process's threads to its log, to show what it waits for. */
  private void dumpThreads() throws InterruptedException {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    try {
      new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), "Thread.print")
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
          .start()
          .waitFor(20, TimeUnit.SECONDS);
    } catch (IOException e) {
      // no jcmd in this JDK: the log shows what it can
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }
}
