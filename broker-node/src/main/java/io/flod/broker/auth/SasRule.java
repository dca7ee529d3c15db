package io.flod.broker.auth;

import java.util.Set;

/**
 * A shared access policy as the brokers know it: on the whole cluster ({@code topic} null) or on
 * one topic, with two keys either of which signs valid tokens.
 */
public record SasRule(
    String name, String topic, Set<Right> rights, String primaryKey, String secondaryKey) {
  public SasRule {
    rights = Set.copyOf(rights);
  }

  boolean hasKey(String key) {
    // Both compared, each in constant time: which key matched must not show in the timing either.
    boolean primary = SasAuthenticator.constantTimeEquals(key, primaryKey);
    boolean secondary = SasAuthenticator.constantTimeEquals(key, secondaryKey);
    return primary | secondary;
  }

  boolean allows(Right right) {
    return rights.contains(right) || rights.contains(Right.MANAGE);
  }
}
