package io.flod.broker.auth;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.utils.internals.BufferSupplier;
import org.apache.kafka.common.utils.internals.CloseableIterator;

/**
 * Event Hubs' publisher policy on the Kafka head: a token for {@code <topic>/publishers/<name>} may
 * send only records whose key is the publisher's name, and not at all once the publisher is
 * revoked. Only such tokens pay for reading the keys (compressed batches are decompressed to do
 * it); every other produce goes through untouched.
 */
final class PublisherPolicy {
  private PublisherPolicy() {}

  static ApiException check(
      Principal principal,
      ProduceRequest request,
      List<String> topics,
      SasAuthenticator authenticator) {
    String publisher = principal.scope().publisher();
    for (String topic : topics) {
      if (authenticator.publisherRevoked(principal, topic)) {
        return new PolicyViolationException(
            "Publisher " + publisher + " is revoked on topic " + topic);
      }
    }
    ByteBuffer expected = ByteBuffer.wrap(publisher.getBytes(StandardCharsets.UTF_8));
    for (ProduceRequestData.TopicProduceData topic : request.data().topicData()) {
      for (ProduceRequestData.PartitionProduceData partition : topic.partitionData()) {
        for (MutableRecordBatch batch : ((MemoryRecords) partition.records()).batches()) {
          try (CloseableIterator<Record> records = batch.streamingIterator(BUFFERS)) {
            while (records.hasNext()) {
              Record record = records.next();
              if (!record.hasKey() || !expected.equals(record.key())) {
                return new PolicyViolationException(
                    "A publisher token for "
                        + publisher
                        + " sends only records whose key is \""
                        + publisher
                        + "\"");
              }
            }
          }
        }
      }
    }
    return null;
  }

  private static final BufferSupplier BUFFERS = BufferSupplier.NO_CACHING;
}
