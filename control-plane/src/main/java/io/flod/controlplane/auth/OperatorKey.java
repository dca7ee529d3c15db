package io.flod.controlplane.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The operator's API key: {@code FLOD_OPERATOR_KEY} when set; otherwise the content of {@code
 * operator.key} in the data directory, generated (and reported as new, so it is printed once) on
 * the first start and written with mode 600.
 */
public record OperatorKey(String secret, boolean generated) {

  public static OperatorKey load(Path dataDir, String fromEnvironment) {
    if (fromEnvironment != null && !fromEnvironment.isBlank()) {
      return new OperatorKey(fromEnvironment.trim(), false);
    }
    Path file = dataDir.resolve("operator.key");
    try {
      if (Files.exists(file)) {
        return new OperatorKey(Files.readString(file, StandardCharsets.UTF_8).trim(), false);
      }
      Files.createDirectories(dataDir);
      String secret = ApiKeys.newSecret();
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(file, secret + "\n", StandardCharsets.UTF_8, StandardOpenOption.WRITE);
      return new OperatorKey(secret, true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create " + file, e);
    }
  }
}
