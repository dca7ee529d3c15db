package io.flod.broker.network;

import io.netty.channel.FileRegion;
import io.netty.util.AbstractReferenceCounted;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A range of a segment file sent with {@link FileChannel#transferTo} (sendfile): the record bytes
 * go from the page cache to the socket without entering the JVM. Unlike Netty's {@code
 * DefaultFileRegion} it never closes the channel, which belongs to the segment and serves many
 * fetches at once.
 */
final class SegmentFileRegion extends AbstractReferenceCounted implements FileRegion {
  private final FileChannel channel;
  private final long position;
  private final long count;
  private long transferred;

  SegmentFileRegion(FileChannel channel, long position, long count) {
    this.channel = channel;
    this.position = position;
    this.count = count;
  }

  FileChannel channel() {
    return channel;
  }

  @Override
  public long position() {
    return position;
  }

  @Override
  public long count() {
    return count;
  }

  @Override
  public long transferred() {
    return transferred;
  }

  @Override
  @Deprecated
  public long transfered() {
    return transferred;
  }

  @Override
  public long transferTo(WritableByteChannel target, long offset) throws IOException {
    long remaining = count - offset;
    if (remaining <= 0) {
      return 0;
    }
    long written = channel.transferTo(position + offset, remaining, target);
    if (written == 0 && channel.size() < position + count) {
      // Retention or truncation removed bytes we promised: fail the response, not spin forever.
      throw new IOException("segment file shrank below the range being sent");
    }
    transferred += written;
    return written;
  }

  @Override
  protected void deallocate() {
    // The channel is the segment's; nothing of ours to free.
  }

  @Override
  public FileRegion retain() {
    super.retain();
    return this;
  }

  @Override
  public FileRegion retain(int increment) {
    super.retain(increment);
    return this;
  }

  @Override
  public FileRegion touch() {
    return this;
  }

  @Override
  public FileRegion touch(Object hint) {
    return this;
  }
}
