package io.flod.broker.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.flod.broker.log.LogConfig;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class BrokerConfigTest {
  @Test
  void environmentOverridesDefaultsAndExplicitValuesOverrideTheEnvironment() {
    BrokerConfig config =
        BrokerConfig.from(
            Map.of("FLOD_LOG_SEGMENT_BYTES", "4096", "FLOD_NUM_IO_THREADS", "3", "UNRELATED", "x"),
            Map.of("num.io.threads", "5"));
    assertEquals(4096, config.getInt(BrokerConfig.LOG_SEGMENT_BYTES));
    assertEquals(5, config.getInt(BrokerConfig.NUM_IO_THREADS));
    assertEquals(false, config.getBoolean(BrokerConfig.AUTO_CREATE_TOPICS_ENABLE));
  }

  @Test
  void invalidValuesStopStartUpWithTheNameInTheMessage() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> BrokerConfig.from(Map.of("FLOD_LOG_SEGMENT_BYTES", "tiny"), Map.of()));
    assertEquals(true, e.getMessage().contains("log.segment.bytes"));
  }

  @Test
  void topicOverridesResolveOverBrokerDefaults() {
    TopicConfigs topics =
        new TopicConfigs(BrokerConfig.from(Map.of(), Map.of("log.retention.ms", "1000")));
    LogConfig defaults = topics.resolve(Map.of());
    assertEquals(1000, defaults.retentionMs());
    LogConfig overridden =
        topics.resolve(Map.of("retention.ms", "5000", "message.timestamp.type", "LogAppendTime"));
    assertEquals(5000, overridden.retentionMs());
    assertEquals(TimestampType.LOG_APPEND_TIME, overridden.timestampType());
    assertThrows(ConfigException.class, () -> topics.resolve(Map.of("segment.bytes", "10")));
    assertThrows(ConfigException.class, () -> topics.resolve(Map.of("compression.type", "gzip")));
    assertThrows(ConfigException.class, () -> topics.resolve(Map.of("nonsense", "1")));
  }
}
