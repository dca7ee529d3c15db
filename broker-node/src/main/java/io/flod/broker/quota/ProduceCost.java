package io.flod.broker.quota;

import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.requests.ProduceRequest;

/** The bytes and events of a produce request, from batch headers only (nothing decompressed). */
public record ProduceCost(long bytes, long events) {
  public static ProduceCost of(ProduceRequest request) {
    long bytes = 0;
    long events = 0;
    for (ProduceRequestData.TopicProduceData topic : request.data().topicData()) {
      for (ProduceRequestData.PartitionProduceData partition : topic.partitionData()) {
        MemoryRecords records = (MemoryRecords) partition.records();
        if (records == null) {
          continue;
        }
        bytes += records.sizeInBytes();
        for (MutableRecordBatch batch : records.batches()) {
          Integer count = batch.countOrNull();
          events += count == null ? 1 : count;
        }
      }
    }
    return new ProduceCost(bytes, events);
  }
}
