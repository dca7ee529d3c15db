package io.flod.broker.log;

import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.UnsupportedForMessageFormatException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * Checks produced batches before they reach the log, from their headers only: the CRC covers
 * everything after it, so a valid CRC with consistent header fields is enough to store a batch as
 * sent. Compressed batches are never decompressed here.
 */
final class BatchValidator {
  private BatchValidator() {}

  /** Returns the number of records in {@code records}, or throws the error the producer sees. */
  static int validate(MemoryRecords records, LogConfig config) {
    int count = 0;
    int bytes = 0;
    boolean any = false;
    for (MutableRecordBatch batch : records.batches()) {
      any = true;
      if (batch.magic() != RecordBatch.MAGIC_VALUE_V2) {
        throw new UnsupportedForMessageFormatException(
            "record batch magic " + batch.magic() + " is not supported; use magic 2");
      }
      if (batch.sizeInBytes() > config.maxMessageBytes()) {
        throw new RecordTooLargeException(
            "record batch of "
                + batch.sizeInBytes()
                + " bytes exceeds max.message.bytes "
                + config.maxMessageBytes());
      }
      if (!batch.isValid()) {
        throw new CorruptRecordException("record batch failed its CRC check");
      }
      Integer batchCount = batch.countOrNull();
      long offsetSpan = batch.lastOffset() - batch.baseOffset() + 1;
      if (batchCount == null || batchCount <= 0 || batchCount != offsetSpan) {
        throw new InvalidRecordException(
            "record batch count " + batchCount + " does not match its offset span " + offsetSpan);
      }
      if (batch.isControlBatch() || batch.isTransactional()) {
        throw new InvalidRecordException("transactional and control batches are not supported");
      }
      count += batchCount;
      bytes += batch.sizeInBytes();
    }
    if (!any || bytes != records.sizeInBytes()) {
      throw new CorruptRecordException("produce request holds a partial or empty record batch");
    }
    return count;
  }
}
