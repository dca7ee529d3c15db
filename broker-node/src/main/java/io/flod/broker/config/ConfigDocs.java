package io.flod.broker.config;

import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;

/**
 * Renders {@code docs/broker-config.md} from the config declarations, so the reference cannot drift
 * from the code: {@code ConfigDocsTest} fails when the committed file differs, and prints how to
 * regenerate it.
 */
public final class ConfigDocs {
  private ConfigDocs() {}

  public static String render() {
    StringBuilder out = new StringBuilder();
    out.append("# Broker and topic configuration\n\n")
        .append("Generated from `BrokerConfig` and `TopicConfigs`; do not edit by hand ")
        .append("(regenerate: `bin/flod broker --print-config-docs > docs/broker-config.md`).\n\n")
        .append("Broker configs are set with `bin/flod broker -c KEY=VALUE` or the environment ")
        .append(
            "variable shown (`FLOD_` + the key in upper case, dots as underscores); the command ")
        .append("line wins. Topic configs are set per topic through the Kafka Admin API ")
        .append(
            "(`CreateTopics`, `IncrementalAlterConfigs`) and default to the broker config named.\n\n")
        .append("## Broker\n\n")
        .append("| key | environment variable | type | default | description |\n")
        .append("|---|---|---|---|---|\n");
    for (ConfigDef.ConfigKey key : BrokerConfig.DEFINITION.configKeys().values()) {
      out.append(row(key, "`" + BrokerConfig.environmentVariable(key.name) + "`"));
    }
    out.append("\n## Topic\n\n")
        .append("| key | broker default from | type | default | description |\n")
        .append("|---|---|---|---|---|\n");
    TopicConfigs topics = new TopicConfigs(BrokerConfig.from(Map.of(), Map.of()));
    for (ConfigDef.ConfigKey key : topics.keys().values()) {
      String from = TopicConfigs.brokerDefaultOf(key.name);
      out.append(row(key, from == null ? "" : "`" + from + "`"));
    }
    return out.toString();
  }

  private static String row(ConfigDef.ConfigKey key, String second) {
    String value = ConfigDef.convertToString(key.defaultValue, key.type);
    return "| `"
        + key.name
        + "` | "
        + second
        + " | "
        + key.type.name().toLowerCase()
        + " | `"
        + value
        + "` | "
        + key.documentation.replace("|", "\\|")
        + " |\n";
  }
}
