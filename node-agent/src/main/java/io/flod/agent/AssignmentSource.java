package io.flod.agent;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flod.api.AgentAssignment;
import io.flod.api.AgentRegistration;
import io.flod.api.client.FlodClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the agent learns what to run: the control plane's answer to its registration. The answer is
 * also kept in the data directory (it is recoverable from the control plane, so the agent holds
 * nothing of its own), so that an agent restarting while the control plane is unreachable can start
 * its broker anyway.
 */
final class AssignmentSource {
  private static final Logger log = LoggerFactory.getLogger(AssignmentSource.class);
  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
  private final FlodClient client;
  private final Path cache;

  AssignmentSource(FlodClient client, Path dataDir) {
    this.client = client;
    this.cache = dataDir.resolve("assignment.json");
  }

  /** Registers and returns the assignment; retries until it has one, from the API or the cache. */
  AgentAssignment obtain(AgentRegistration registration) throws InterruptedException {
    long delay = 500;
    while (true) {
      try {
        AgentAssignment assignment =
            client.post("/v1/agents/register", registration).as(AgentAssignment.class);
        try {
          // It holds the cluster's secrets (its ZooKeeper identity, its rules key): owner only.
          Path written = cache.resolveSibling(cache.getFileName() + ".tmp");
          java.nio.file.Files.deleteIfExists(written);
          java.nio.file.Files.createFile(
              written,
              java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                  java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
          JSON.writeValue(written.toFile(), assignment);
          java.nio.file.Files.move(
              written,
              cache,
              java.nio.file.StandardCopyOption.REPLACE_EXISTING,
              java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
          // Said as what it is (not as an unreachable control plane); the agent runs without it.
          log.error("cannot keep the assignment in {}: {}", cache, e.toString());
        }
        log.info(
            "registered: cluster={} node={} broker={} zone={}",
            assignment.clusterId(),
            assignment.nodeName(),
            assignment.brokerId(),
            assignment.zone());
        return assignment;
      } catch (FlodClient.ApiError e) {
        log.warn("registration refused ({}); retrying in {} ms", e.getMessage(), delay);
      } catch (UncheckedIOException e) {
        if (Files.exists(cache)) {
          try {
            AgentAssignment cached = JSON.readValue(cache.toFile(), AgentAssignment.class);
            log.warn(
                "control plane unreachable ({}); running the assignment it gave before",
                e.getMessage());
            return cached;
          } catch (IOException unreadable) {
            log.warn("cached assignment unreadable: {}", unreadable.toString());
          }
        }
        log.warn("control plane unreachable ({}); retrying in {} ms", e.getMessage(), delay);
      }
      Thread.sleep(delay);
      delay = Math.min(10_000, delay * 2);
    }
  }
}
