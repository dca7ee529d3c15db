package io.flod.agent;

import io.flod.broker.cli.StartupFailure;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * The one line that says why a broker process ended, from what it wrote to its log since it
 * started: the broker's own {@code flod broker: cannot start: <cause>} line if there is one, else
 * the last exception or error line (the deepest {@code Caused by} of the last stack trace, an ERROR
 * log line, the JVM's own complaint), else what the exit code says.
 */
final class BrokerErrorLine {
  static final int MAX_LENGTH = 500;
  private static final int TAIL_BYTES = 64 * 1024;
  private static final Pattern EXCEPTION =
      Pattern.compile("^(Caused by: )?[\\w.$]*(Exception|Error)(: .*)?$");
  private static final Pattern ERROR_LOG = Pattern.compile(".*\\b(ERROR|FATAL)\\b.*");

  private BrokerErrorLine() {}

  /** The cause of a broker's exit, from its log written since {@code fromOffset}. */
  static String of(Path log, long fromOffset, int exitCode) {
    String found = find(tail(log, fromOffset));
    if (found != null) {
      return cap(found);
    }
    return exitCode > 128
        ? "killed by signal " + (exitCode - 128)
        : "exited with code " + exitCode + " without saying why";
  }

  static String find(String text) {
    String[] lines = text.split("\\R");
    String exception = null;
    String errorLog = null;
    for (int i = lines.length - 1; i >= 0; i--) {
      String line = lines[i].strip();
      if (line.startsWith(StartupFailure.PREFIX)) {
        return line.substring(StartupFailure.PREFIX.length());
      }
      if (exception == null && EXCEPTION.matcher(line).matches()) {
        exception = line.startsWith("Caused by: ") ? line.substring(11) : line;
      }
      if (errorLog == null && ERROR_LOG.matcher(line).matches()) {
        errorLog = line;
      }
    }
    return exception != null ? exception : errorLog;
  }

  private static String tail(Path log, long fromOffset) {
    try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
      long start = Math.max(fromOffset, file.length() - TAIL_BYTES);
      byte[] bytes = new byte[(int) Math.max(0, file.length() - start)];
      file.seek(start);
      file.readFully(bytes);
      return new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  private static String cap(String line) {
    return line.length() <= MAX_LENGTH ? line : line.substring(0, MAX_LENGTH - 3) + "...";
  }
}
