package io.flod.broker.cli;

import io.flod.broker.network.ListenerBinding;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/**
 * Why a broker could not start, as one line. The broker prints it to stderr as {@code flod broker:
 * cannot start: <cause>} after the stack trace, and node agents report that line as the broker's
 * last error: it names the resource (an address in use, a data directory that cannot be written),
 * not only the exception's class.
 */
public final class StartupFailure {
  /** What the one line starts with; node agents look for it. */
  public static final String PREFIX = "flod broker: cannot start: ";

  private StartupFailure() {}

  public static String line(Throwable e) {
    return PREFIX + describe(e);
  }

  static String describe(Throwable e) {
    Throwable root = e;
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ListenerBinding.PortInUseException) {
        return t.getMessage();
      }
      root = t;
    }
    if (root instanceof AccessDeniedException f) {
      return "permission denied: " + f.getFile();
    }
    if (root instanceof NoSuchFileException f) {
      return "no such file or directory: " + f.getFile();
    }
    if (root instanceof FileAlreadyExistsException f) {
      return "exists and is not a directory: " + f.getFile();
    }
    if (root instanceof FileSystemException f) {
      return (f.getReason() != null ? f.getReason() : root.getClass().getSimpleName())
          + ": "
          + f.getFile();
    }
    String message = root.getMessage();
    return root.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }
}
