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
import org.apache.helix.zookeeper.datamodel.serializer.ZNRecordSerializer;

/**
 * The cluster's SAS rules in ZooKeeper: one record, written whole by the control plane whenever a
 * rule, a key or the cluster's broker secret changes, and read by every broker about once a second
 * (so a regenerated key or a revoked rule takes effect within seconds). The record is sealed with
 * the cluster's {@code sas.rules.key} ({@link RecordSeal}): the keys and the broker secret are
 * never in clear in ZooKeeper, another cluster's machines can read none of it, and a record written
 * without the key (forged rules granting access) does not open, so the broker keeps its last rules.
 */
public final class ZkSasRules {
  private static final String BROKER_SECRET = "brokerSecret";
  private static final String REVOKED_PUBLISHERS = "revokedPublishers";
  private static final String SEALED = "sealed";
  private final HelixPropertyStore<ZNRecord> store;
  private final RecordSeal seal;
  private final String context;

  /**
   * @param seal the cluster's rules key
   * @param cluster the cluster's name, bound into the seal: a record copied from another path or
   *     cluster does not open
   */
  public ZkSasRules(HelixPropertyStore<ZNRecord> store, RecordSeal seal, String cluster) {
    this.store = store;
    this.seal = seal;
    this.context = cluster + ClusterPaths.SAS_RULES;
  }

  public void publish(SasRuleBook.Snapshot rules) {
    ZNRecord sealed = new ZNRecord("sas-rules");
    sealed.setSimpleField(
        SEALED, seal.seal(new ZNRecordSerializer().serialize(clear(rules)), context));
    store.set(ClusterPaths.SAS_RULES, sealed, AccessOption.PERSISTENT);
  }

  private static ZNRecord clear(SasRuleBook.Snapshot rules) {
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
    return record;
  }

  /**
   * The published rules, or none when nothing was published yet.
   *
   * @throws IllegalArgumentException the record is not sealed with this cluster's key
   */
  public SasRuleBook.Snapshot read() {
    ZNRecord stored = store.get(ClusterPaths.SAS_RULES, null, AccessOption.PERSISTENT);
    if (stored == null) {
      return SasRuleBook.Snapshot.EMPTY;
    }
    ZNRecord record =
        (ZNRecord)
            new ZNRecordSerializer().deserialize(seal.open(stored.getSimpleField(SEALED), context));
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
