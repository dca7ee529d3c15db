package io.flod.broker.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.RecordBatch;

/** Reads a replica's segment files directly, to compare replicas batch by batch. */
public final class ReplicaLogs {
  private ReplicaLogs() {}

  /** (base offset, last offset, CRC) of each batch below {@code end}, read from segment files. */
  public static List<String> batchesBelow(Path logDir, long end) throws Exception {
    List<String> batches = new ArrayList<>();
    List<Path> segments;
    try (Stream<Path> files = Files.list(logDir)) {
      segments = files.filter(f -> f.toString().endsWith(".log")).sorted().toList();
    }
    for (Path segment : segments) {
      try (FileRecords records = FileRecords.open(segment.toFile(), false)) {
        for (RecordBatch batch : records.batches()) {
          if (batch.lastOffset() < end) {
            batches.add(batch.baseOffset() + "-" + batch.lastOffset() + ":" + batch.checksum());
          }
        }
      }
    }
    return batches;
  }
}
