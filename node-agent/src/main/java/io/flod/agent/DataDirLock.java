package io.flod.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One agent per data directory: the agent holds an exclusive lock on {@code agent.lock} for its
 * life, and writes its own pid and start time next to it ({@code agent.pid}, {@code agent.started})
 * once it holds it. Whoever started the agent may die before recording the pid itself (a control
 * plane killed mid-provisioning); the machine's real agent is still found, and a second agent
 * started on the same directory gives up instead of running a second broker.
 */
final class DataDirLock implements AutoCloseable {
  private final FileChannel channel;
  private final FileLock lock;

  private DataDirLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** The lock, or null when another agent holds it. */
  static DataDirLock tryAcquire(Path dataDir) {
    try {
      Files.createDirectories(dataDir);
      FileChannel channel =
          FileChannel.open(
              dataDir.resolve("agent.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        channel.close();
        return null;
      }
      ProcessHandle self = ProcessHandle.current();
      Files.writeString(dataDir.resolve("agent.pid"), Long.toString(self.pid()));
      Files.writeString(
          dataDir.resolve("agent.started"),
          self.info().startInstant().map(Object::toString).orElse("unknown"));
      return new DataDirLock(channel, lock);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot lock the agent's data directory " + dataDir, e);
    }
  }

  @Override
  public void close() {
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      // the process is ending; the lock goes with it
    }
  }
}
