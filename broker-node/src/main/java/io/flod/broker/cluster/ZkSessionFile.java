package io.flod.broker.cluster;

import io.flod.broker.storage.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Optional;

/**
 * The ZooKeeper session of a broker's Helix participant (id and password), recorded in the broker's
 * data directory so that its node agent can end the session the moment the broker process dies.
 * Until a session ends, ZooKeeper keeps the dead broker's live instance and current states, and
 * Helix will not hand a partition's leadership to another replica while the old leader's current
 * state still says LEADER; ending the session moves leadership within a second instead of after the
 * session timeout. The password lets whoever holds it close the session, so the file is readable by
 * its owner only.
 */
public final class ZkSessionFile {
  public static final String NAME = "zk-session";

  private ZkSessionFile() {}

  /** A session id and its password. */
  public record Session(long id, byte[] password) {
    public String hexId() {
      return "0x" + Long.toHexString(id);
    }
  }

  public static void write(Path file, Session session) throws IOException {
    Files.createDirectories(file.getParent());
    String line =
        Long.toHexString(session.id())
            + " "
            + Base64.getEncoder().encodeToString(session.password())
            + "\n";
    AtomicFiles.write(file, line.getBytes(StandardCharsets.US_ASCII));
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
  }

  /** The recorded session, or empty when there is none or the file is not one of ours. */
  public static Optional<Session> read(Path file) {
    try {
      String[] parts = Files.readString(file, StandardCharsets.US_ASCII).trim().split(" ");
      if (parts.length != 2) {
        return Optional.empty();
      }
      return Optional.of(
          new Session(Long.parseUnsignedLong(parts[0], 16), Base64.getDecoder().decode(parts[1])));
    } catch (IOException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
