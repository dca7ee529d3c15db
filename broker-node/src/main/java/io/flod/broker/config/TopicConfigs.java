package io.flod.broker.config;

import static org.apache.kafka.common.config.ConfigDef.Importance.LOW;
import static org.apache.kafka.common.config.ConfigDef.Importance.MEDIUM;

import io.flod.broker.log.LogConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.ConfigKey;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidList;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.record.TimestampType;

/**
 * The per-topic settings a client may describe and alter, with their broker-level defaults. A topic
 * stores only its overrides; {@link #resolve} turns them into the log's effective config.
 */
public final class TopicConfigs {
  /** Topic config name → the broker config that supplies its default. */
  private static final Map<String, String> BROKER_DEFAULTS = new LinkedHashMap<>();

  static {
    BROKER_DEFAULTS.put(TopicConfig.SEGMENT_BYTES_CONFIG, BrokerConfig.LOG_SEGMENT_BYTES);
    BROKER_DEFAULTS.put(TopicConfig.SEGMENT_MS_CONFIG, BrokerConfig.LOG_ROLL_MS);
    BROKER_DEFAULTS.put(TopicConfig.RETENTION_MS_CONFIG, BrokerConfig.LOG_RETENTION_MS);
    BROKER_DEFAULTS.put(TopicConfig.RETENTION_BYTES_CONFIG, BrokerConfig.LOG_RETENTION_BYTES);
    BROKER_DEFAULTS.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, BrokerConfig.MESSAGE_MAX_BYTES);
    BROKER_DEFAULTS.put(
        TopicConfig.INDEX_INTERVAL_BYTES_CONFIG, BrokerConfig.LOG_INDEX_INTERVAL_BYTES);
    BROKER_DEFAULTS.put(
        TopicConfig.SEGMENT_INDEX_BYTES_CONFIG, BrokerConfig.LOG_INDEX_SIZE_MAX_BYTES);
    BROKER_DEFAULTS.put(
        TopicConfig.FLUSH_MESSAGES_INTERVAL_CONFIG, BrokerConfig.LOG_FLUSH_INTERVAL_MESSAGES);
    BROKER_DEFAULTS.put(TopicConfig.FLUSH_MS_CONFIG, BrokerConfig.LOG_FLUSH_INTERVAL_MS);
    BROKER_DEFAULTS.put(
        TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, BrokerConfig.LOG_MESSAGE_TIMESTAMP_TYPE);
    BROKER_DEFAULTS.put(
        TopicConfig.FILE_DELETE_DELAY_MS_CONFIG, BrokerConfig.LOG_SEGMENT_DELETE_DELAY_MS);
    BROKER_DEFAULTS.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, BrokerConfig.MIN_INSYNC_REPLICAS);
    BROKER_DEFAULTS.put(
        TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG,
        BrokerConfig.UNCLEAN_LEADER_ELECTION_ENABLE);
    BROKER_DEFAULTS.put(
        TopicConfig.DELETE_RETENTION_MS_CONFIG, BrokerConfig.LOG_CLEANER_DELETE_RETENTION_MS);
  }

  private final BrokerConfig brokerConfig;
  private final ConfigDef definition;

  public TopicConfigs(BrokerConfig brokerConfig) {
    this.brokerConfig = brokerConfig;
    this.definition = define(brokerConfig);
  }

  private static ConfigDef define(BrokerConfig broker) {
    ConfigDef def = new ConfigDef();
    for (Map.Entry<String, String> e : BROKER_DEFAULTS.entrySet()) {
      ConfigKey brokerKey = BrokerConfig.DEFINITION.configKeys().get(e.getValue());
      def.define(
          e.getKey(),
          brokerKey.type,
          broker.values().get(e.getValue()),
          brokerKey.validator,
          brokerKey.importance,
          brokerKey.documentation);
    }
    def.define(
        TopicConfig.CLEANUP_POLICY_CONFIG,
        Type.LIST,
        TopicConfig.CLEANUP_POLICY_DELETE,
        ValidList.in(TopicConfig.CLEANUP_POLICY_DELETE, TopicConfig.CLEANUP_POLICY_COMPACT),
        MEDIUM,
        "How old data goes: 'delete' applies retention.ms and retention.bytes; 'compact' keeps the"
            + " newest record of each key; both may be given.");
    def.define(
        TopicConfig.COMPRESSION_TYPE_CONFIG,
        Type.STRING,
        "producer",
        ValidString.in("producer"),
        LOW,
        "Flod stores batches exactly as the producer compressed them, so only 'producer' applies.");
    return def;
  }

  /** The broker config that supplies this topic config's default, or null if it has none. */
  public static String brokerDefaultOf(String topicConfig) {
    return BROKER_DEFAULTS.get(topicConfig);
  }

  public Map<String, ConfigKey> keys() {
    return definition.configKeys();
  }

  /**
   * Validates a topic's overrides and returns its effective log config.
   *
   * @throws ConfigException an unknown name or an invalid value, with a message naming it
   */
  public LogConfig resolve(Map<String, String> overrides) {
    for (String name : overrides.keySet()) {
      if (!definition.configKeys().containsKey(name)) {
        throw new ConfigException("Unknown topic config name: " + name);
      }
    }
    Map<String, Object> parsed = definition.parse(overrides);
    return new LogConfig(
        (Integer) parsed.get(TopicConfig.SEGMENT_BYTES_CONFIG),
        (Long) parsed.get(TopicConfig.SEGMENT_MS_CONFIG),
        (Long) parsed.get(TopicConfig.RETENTION_MS_CONFIG),
        (Long) parsed.get(TopicConfig.RETENTION_BYTES_CONFIG),
        (Integer) parsed.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG),
        (Integer) parsed.get(TopicConfig.INDEX_INTERVAL_BYTES_CONFIG),
        (Integer) parsed.get(TopicConfig.SEGMENT_INDEX_BYTES_CONFIG),
        (Long) parsed.get(TopicConfig.FLUSH_MESSAGES_INTERVAL_CONFIG),
        (Long) parsed.get(TopicConfig.FLUSH_MS_CONFIG),
        "LogAppendTime".equals(parsed.get(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG))
            ? TimestampType.LOG_APPEND_TIME
            : TimestampType.CREATE_TIME,
        (Long) parsed.get(TopicConfig.FILE_DELETE_DELAY_MS_CONFIG),
        cleanupPolicy(parsed).contains(TopicConfig.CLEANUP_POLICY_COMPACT),
        cleanupPolicy(parsed).contains(TopicConfig.CLEANUP_POLICY_DELETE),
        (Integer) parsed.get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG),
        (Boolean) parsed.get(TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG),
        (Long) parsed.get(TopicConfig.DELETE_RETENTION_MS_CONFIG));
  }

  @SuppressWarnings("unchecked")
  private static List<String> cleanupPolicy(Map<String, Object> parsed) {
    return (List<String>) parsed.get(TopicConfig.CLEANUP_POLICY_CONFIG);
  }

  /** The effective value of every topic config as a string, in declaration order. */
  public Map<String, String> effectiveValues(Map<String, String> overrides) {
    Map<String, String> values = new LinkedHashMap<>();
    for (ConfigKey key : definition.configKeys().values()) {
      String override = overrides.get(key.name);
      values.put(
          key.name,
          override != null ? override : ConfigDef.convertToString(key.defaultValue, key.type));
    }
    return values;
  }

  public BrokerConfig brokerConfig() {
    return brokerConfig;
  }
}
