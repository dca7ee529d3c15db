package io.flod.broker.producer;

import io.flod.broker.storage.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Producer ids for a standalone broker. Ids are reserved in blocks: the end of the current block is
 * written to {@code meta/producer-id-block} before any id of it is handed out, so after any crash
 * the next block starts past every id ever given.
 */
public final class LocalProducerIdAllocator implements ProducerIdAllocator {
  static final int BLOCK_SIZE = 1000;
  private final Path file;
  private long next;
  private long blockEnd;

  public LocalProducerIdAllocator(Path metaDir) {
    this.file = metaDir.resolve("producer-id-block");
    try {
      long reserved =
          Files.exists(file)
              ? Long.parseLong(Files.readString(file, StandardCharsets.UTF_8).trim())
              : 0;
      next = reserved;
      blockEnd = reserved;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  @Override
  public synchronized long nextProducerId() {
    if (next >= blockEnd) {
      long end = next + BLOCK_SIZE;
      try {
        AtomicFiles.write(file, Long.toString(end).getBytes(StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot reserve producer ids in " + file, e);
      }
      blockEnd = end;
    }
    return next++;
  }
}
