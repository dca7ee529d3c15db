package io.flod.broker.cluster;

import io.flod.broker.auth.Right;
import io.flod.broker.auth.SasRule;
import io.flod.broker.auth.SasRuleBook;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.helix.AccessOption;
import org.apache.helix.store.HelixPropertyStore;
import org.apache.helix.zookeeper.datamodel.ZNRecord;

/**
 * The cluster's SAS rules in ZooKeeper: one record, written whole by the control plane whenever a
 * rule, a key or the cluster's broker secret changes, and read by every broker about once a second
 * (so a regenerated key or a revoked rule takes effect within seconds). Keys sit there in clear:
 * ZooKeeper is reachable only by the cluster's own machines and the control plane.
 */
public final class ZkSasRules {
  private static final String BROKER_SECRET = "brokerSecret";
  private static final String REVOKED_PUBLISHERS = "revokedPublishers";
  private final HelixPropertyStore<ZNRecord> store;

  public ZkSasRules(HelixPropertyStore<ZNRecord> store) {
    this.store = store;
  }

  public void publish(SasRuleBook.Snapshot rules) {
    ZNRecord record = new ZNRecord("sas-rules");
    if (rules.brokerSecret() != null) {
      record.setSimpleField(BROKER_SECRET, rules.brokerSecret());
    }
    rules
        .rules()
        .forEach(
            (key, rule) -> {
              Map<String, String> fields = new LinkedHashMap<>();
              fields.put("name", rule.name());
              if (rule.topic() != null) {
                fields.put("topic", rule.topic());
              }
              fields.put(
                  "rights",
                  rule.rights().stream()
                      .map(r -> r.name().toLowerCase(Locale.ROOT))
                      .sorted()
                      .collect(Collectors.joining(",")));
              fields.put("primaryKey", rule.primaryKey());
              fields.put("secondaryKey", rule.secondaryKey());
              record.setMapField(key, fields);
            });
    record.setListField(REVOKED_PUBLISHERS, rules.revokedPublishers().stream().sorted().toList());
    store.set(ClusterPaths.SAS_RULES, record, AccessOption.PERSISTENT);
  }

  /** The published rules, or none when nothing was published yet. */
  public SasRuleBook.Snapshot read() {
    ZNRecord record = store.get(ClusterPaths.SAS_RULES, null, AccessOption.PERSISTENT);
    if (record == null) {
      return SasRuleBook.Snapshot.EMPTY;
    }
    Map<String, SasRule> rules = new HashMap<>();
    record
        .getMapFields()
        .forEach(
            (key, fields) -> {
              Set<Right> rights = EnumSet.noneOf(Right.class);
              Arrays.stream(fields.getOrDefault("rights", "").split(","))
                  .filter(r -> !r.isBlank())
                  .forEach(r -> rights.add(Right.valueOf(r.trim().toUpperCase(Locale.ROOT))));
              rules.put(
                  key,
                  new SasRule(
                      fields.get("name"),
                      fields.get("topic"),
                      rights,
                      fields.get("primaryKey"),
                      fields.get("secondaryKey")));
            });
    java.util.List<String> revoked = record.getListField(REVOKED_PUBLISHERS);
    return new SasRuleBook.Snapshot(
        rules,
        record.getSimpleField(BROKER_SECRET),
        revoked == null ? Set.of() : Set.copyOf(revoked));
  }
}
