package io.flod.broker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flod.broker.support.InProcessBroker;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Compressed batches are stored as sent and come back readable. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CompressionIT {
  @TempDir static Path dataDir;
  private InProcessBroker broker;

  @BeforeAll
  void start() {
    broker = InProcessBroker.start(dataDir);
  }

  @AfterAll
  void stop() {
    broker.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"gzip", "snappy", "lz4", "zstd"})
  void compressedBatchesRoundTrip(String codec) throws Exception {
    String topic = "compressed-" + codec;
    try (Admin admin = broker.admin()) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
    }
    Properties props = broker.producerProps();
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, codec);
    props.put(ProducerConfig.LINGER_MS_CONFIG, "20");
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
      for (int i = 0; i < 2_000; i++) {
        producer.send(
            new ProducerRecord<>(topic, "k" + i, "compressible value " + i + " ".repeat(50)));
      }
    }
    List<ConsumerRecord<String, String>> read =
        DurabilityIT.readAll(broker.bootstrapServers(), topic, 1, 2_000);
    assertEquals(2_000, read.size());
    for (int i = 0; i < read.size(); i++) {
      assertEquals("k" + i, read.get(i).key());
      assertEquals("compressible value " + i + " ".repeat(50), read.get(i).value());
      assertEquals(i, read.get(i).offset());
    }
  }
}
