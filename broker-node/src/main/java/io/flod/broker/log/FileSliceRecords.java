package io.flod.broker.log;

import java.nio.channels.FileChannel;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.RecordsSend;

/**
 * A byte range of a segment file, handed to the network layer so that fetch responses send it with
 * zero-copy file transfer. The channel belongs to the segment: whoever sends the slice must not
 * close it.
 */
public final class FileSliceRecords implements BaseRecords {
  private final FileRecords segmentFile;
  private final int position;
  private final int size;

  FileSliceRecords(FileRecords segmentFile, int position, int size) {
    this.segmentFile = segmentFile;
    this.position = position;
    this.size = size;
  }

  public FileChannel channel() {
    return segmentFile.channel();
  }

  public int position() {
    return position;
  }

  @Override
  public int sizeInBytes() {
    return size;
  }

  /** The same bytes as Kafka's own file records, for code that reads batches (tests, counting). */
  public FileRecords asFileRecords() {
    return segmentFile.slice(position, size);
  }

  @Override
  public RecordsSend<? extends BaseRecords> toSend() {
    return asFileRecords().toSend();
  }
}
