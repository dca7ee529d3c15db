package io.flod.broker.quota;

import java.util.ArrayList;
import java.util.List;
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
        if (records != null) {
          bytes += records.sizeInBytes();
          events += events(records);
        }
      }
    }
    return new ProduceCost(bytes, events);
  }

  /** Each partition's share, for the throttling report (asked only of throttled requests). */
  public static List<ThrottleLog.Load> loads(ProduceRequest request) {
    List<ThrottleLog.Load> loads = new ArrayList<>();
    for (ProduceRequestData.TopicProduceData topic : request.data().topicData()) {
      for (ProduceRequestData.PartitionProduceData partition : topic.partitionData()) {
        MemoryRecords records = (MemoryRecords) partition.records();
        if (records != null) {
          loads.add(
              new ThrottleLog.Load(
                  topic.name(),
                  topic.topicId(),
                  partition.index(),
                  records.sizeInBytes(),
                  events(records)));
        }
      }
    }
    return loads;
  }

  private static long events(MemoryRecords records) {
    long events = 0;
    for (MutableRecordBatch batch : records.batches()) {
      Integer count = batch.countOrNull();
      events += count == null ? 1 : count;
    }
    return events;
  }
}
