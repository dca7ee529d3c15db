package io.flod.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The broker's TLS certificate and key as the control plane sends them (PEM in the assignment's
 * secrets, so that a machine anywhere gets them, not only one that shares the control plane's
 * disk), written where the broker reads them: {@code tls/} in the agent's data directory, owner
 * only.
 */
final class BrokerTlsFiles {
  static final String CERTIFICATE_PEM = "ssl.certificate.pem";
  static final String KEY_PEM = "ssl.key.pem";

  private BrokerTlsFiles() {}

  /** Whether a secret is TLS material handled here (not a setting for the environment). */
  static boolean handles(String secret) {
    return CERTIFICATE_PEM.equals(secret) || KEY_PEM.equals(secret);
  }

  /**
   * Writes the certificate and key of {@code secrets}, if there are, and returns the broker
   * settings that point at them (empty without TLS material).
   */
  static Map<String, String> write(Path dataDir, Map<String, String> secrets) throws IOException {
    String certificate = secrets.get(CERTIFICATE_PEM);
    String key = secrets.get(KEY_PEM);
    if (certificate == null || key == null) {
      return Map.of();
    }
    Path dir = dataDir.resolve("tls");
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    Path certificateFile = replace(dir.resolve("broker.crt"), certificate);
    Path keyFile = replace(dir.resolve("broker.key"), key);
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("ssl.certificate.location", certificateFile.toString());
    settings.put("ssl.key.location", keyFile.toString());
    return settings;
  }

  /** Whole or not at all, created owner-only before a byte of the key is in it. */
  private static Path replace(Path file, String content) throws IOException {
    Path written = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(written);
    Files.createFile(
        written,
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(written, content, StandardCharsets.US_ASCII);
    Files.move(written, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return file;
  }
}
