package io.flod.broker.auth;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The rules of this broker's cluster as last published by the control plane, replaced whole on each
 * change, and the secret brokers (and the control plane) use to authenticate to each other.
 */
public final class SasRuleBook {
  /**
   * Rules by scope and name ({@code "/name"} for a cluster rule, {@code "topic/name"} else), the
   * broker secret, and the revoked publishers as {@code "topic/publisher"}.
   */
  public record Snapshot(
      Map<String, SasRule> rules, String brokerSecret, Set<String> revokedPublishers) {
    public static final Snapshot EMPTY = new Snapshot(Map.of(), null, Set.of());

    public Snapshot {
      rules = Map.copyOf(rules);
      revokedPublishers = Set.copyOf(revokedPublishers);
    }

    public Snapshot(Map<String, SasRule> rules, String brokerSecret) {
      this(rules, brokerSecret, Set.of());
    }

    public Snapshot withRevokedPublishers(Set<String> revoked) {
      return new Snapshot(rules, brokerSecret, revoked);
    }

    public static String key(String topic, String name) {
      return (topic == null ? "" : topic) + "/" + name;
    }
  }

  private volatile Snapshot snapshot = Snapshot.EMPTY;

  /** A snapshot of these rules, keyed as {@link #find} looks them up. */
  public static Snapshot of(java.util.Collection<SasRule> rules, String brokerSecret) {
    Map<String, SasRule> byKey = new java.util.HashMap<>();
    rules.forEach(r -> byKey.put(Snapshot.key(r.topic(), r.name()), r));
    return new Snapshot(byKey, brokerSecret);
  }

  public void replace(Snapshot next) {
    snapshot = next;
  }

  public Snapshot snapshot() {
    return snapshot;
  }

  public Optional<SasRule> find(String topic, String name) {
    return Optional.ofNullable(snapshot.rules().get(Snapshot.key(topic, name)));
  }

  public boolean revoked(String topic, String publisher) {
    return snapshot.revokedPublishers().contains(topic + "/" + publisher);
  }

  public String brokerSecret() {
    return snapshot.brokerSecret();
  }
}
