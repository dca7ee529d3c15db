package io.flod.broker.auth;

import java.time.Instant;

/**
 * Who a connection authenticated as: a rule (by scope and name), the key that proved it (so that a
 * regenerated key ends its access), what the token narrowed it to, and when it expires. The rule's
 * rights are looked up afresh on every check, so changes reach live connections.
 *
 * @param ruleTopic the topic of a topic-level rule, null for a cluster rule
 * @param scope what the token names (a connection string names its rule's scope)
 * @param expiresAt null for a connection string, which does not expire
 * @param broker another broker or the control plane, authenticated with the cluster's secret
 */
public record Principal(
    String ruleName,
    String ruleTopic,
    ResourceScope scope,
    String key,
    Instant expiresAt,
    boolean broker) {
  public static Principal broker(String secret) {
    return new Principal("$Broker", null, ResourceScope.NAMESPACE, secret, null, true);
  }

  /** The one topic this principal is confined to, or null for all of the cluster's topics. */
  public String topic() {
    return scope.topic() != null ? scope.topic() : ruleTopic;
  }

  @Override
  public String toString() {
    return broker
        ? "broker"
        : "rule=" + (ruleTopic == null ? "" : ruleTopic + "/") + ruleName + " scope=" + topic();
  }
}
