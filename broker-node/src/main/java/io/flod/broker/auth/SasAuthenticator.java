package io.flod.broker.auth;

import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks credentials as Event Hubs does and answers, request by request, what a principal may do.
 * Credentials are the SASL/PLAIN password of user {@value #CONNECTION_STRING_USER}: a connection
 * string with a rule's key, or a SAS token; or the cluster's secret for user {@value #BROKER_USER}.
 * A refusal tells the client nothing about which part was wrong; the log and the metric do.
 */
public final class SasAuthenticator {
  public static final String CONNECTION_STRING_USER = "$ConnectionString";
  public static final String BROKER_USER = "$Broker";
  private static final Logger log = LoggerFactory.getLogger(SasAuthenticator.class);

  /** The one answer a client gets for any bad credential. */
  public static final class Refused extends Exception {
    private final String reason;

    public Refused(String reason) {
      super("Authentication failed: invalid SAS credentials");
      this.reason = reason;
    }

    /** Why, for the operator: never sent to the client. */
    public String reason() {
      return reason;
    }
  }

  private final SasRuleBook rules;
  private final Clock clock;
  private final MeterRegistry meters;

  public SasAuthenticator(SasRuleBook rules, Clock clock, MeterRegistry meters) {
    this.rules = rules;
    this.clock = clock;
    this.meters = meters;
  }

  public Principal authenticate(String username, String password) throws Refused {
    try {
      if (BROKER_USER.equals(username)) {
        String secret = rules.brokerSecret();
        if (secret == null || !constantTimeEquals(secret, password)) {
          throw new Refused("wrong-broker-secret");
        }
        return Principal.broker(secret);
      }
      if (!CONNECTION_STRING_USER.equals(username)) {
        throw new Refused("unknown-user");
      }
      if (SasToken.looksLikeToken(password)) {
        return fromToken(password);
      }
      return fromConnectionString(password);
    } catch (Refused e) {
      meters.counter("flod.broker.auth.failures", "reason", e.reason()).increment();
      throw e;
    }
  }

  /**
   * An HTTPS request's credential: a SAS token only, as Event Hubs' REST API takes it in the {@code
   * Authorization} header (null: the header was missing).
   */
  public Principal authenticateToken(String token) throws Refused {
    if (token == null || !SasToken.looksLikeToken(token)) {
      Refused refused = new Refused(token == null ? "missing" : "malformed");
      meters.counter("flod.broker.auth.failures", "reason", refused.reason()).increment();
      throw refused;
    }
    return authenticate(CONNECTION_STRING_USER, token);
  }

  /** Whether {@code publisher} of {@code topic} is revoked, whoever sends as it. */
  public boolean revoked(String topic, String publisher) {
    return rules.revoked(topic, publisher);
  }

  /** Whether {@code principal} may use {@code right} on {@code topic} (null: the cluster). */
  public boolean permits(Principal principal, Right right, String topic) {
    if (!holds(principal, right)) {
      return false;
    }
    String confined = principal.broker() ? null : principal.topic();
    return topic == null ? confined == null : confined == null || confined.equals(topic);
  }

  /** Whether {@code principal} holds {@code right} on at least one topic. */
  public boolean permitsSomewhere(Principal principal, Right right) {
    return holds(principal, right);
  }

  /** The right itself, wherever the principal is confined: unexpired, current key, granted. */
  private boolean holds(Principal principal, Right right) {
    if (principal.broker()) {
      return constantTimeEquals(principal.key(), rules.brokerSecret());
    }
    if (principal.expiresAt() != null && !clock.instant().isBefore(principal.expiresAt())) {
      return false;
    }
    Optional<SasRule> rule = rules.find(principal.ruleTopic(), principal.ruleName());
    return rule.isPresent() && rule.get().hasKey(principal.key()) && rule.get().allows(right);
  }

  /** Whether a token's publisher (if any) was revoked for {@code topic}. */
  public boolean publisherRevoked(Principal principal, String topic) {
    String publisher = principal.scope().publisher();
    return publisher != null && revoked(topic, publisher);
  }

  /** Whether the principal's rule and key still stand (a deleted rule or new key ends them). */
  public boolean current(Principal principal) {
    if (principal.broker()) {
      return constantTimeEquals(principal.key(), rules.brokerSecret());
    }
    return rules
        .find(principal.ruleTopic(), principal.ruleName())
        .map(r -> r.hasKey(principal.key()))
        .orElse(false);
  }

  private Principal fromToken(String text) throws Refused {
    SasToken token;
    ResourceScope scope;
    try {
      token = SasToken.parse(text);
      scope = ResourceScope.parse(token.resourceUri());
    } catch (SasToken.MalformedToken e) {
      log.debug("malformed SAS token: {}", e.getMessage());
      throw new Refused("malformed");
    }
    Instant expiry = Instant.ofEpochSecond(token.expiry());
    if (!clock.instant().isBefore(expiry)) {
      throw new Refused("expired");
    }
    SasRule rule =
        ruleFor(scope.topic(), token.keyName()).orElseThrow(() -> new Refused("no-rule"));
    String key;
    if (token.signedWith(rule.primaryKey())) {
      key = rule.primaryKey();
    } else if (token.signedWith(rule.secondaryKey())) {
      key = rule.secondaryKey();
    } else {
      throw new Refused("bad-signature");
    }
    return new Principal(rule.name(), rule.topic(), scope, key, expiry, false);
  }

  private Principal fromConnectionString(String text) throws Refused {
    Map<String, String> parts = new HashMap<>();
    for (String part : text.split(";")) {
      int eq = part.indexOf('=');
      if (eq > 0) {
        parts.put(part.substring(0, eq).trim().toLowerCase(), part.substring(eq + 1).trim());
      }
    }
    String signature = parts.get("sharedaccesssignature");
    if (signature != null) {
      return fromToken(signature);
    }
    String name = parts.get("sharedaccesskeyname");
    String key = parts.get("sharedaccesskey");
    if (name == null || key == null) {
      throw new Refused("malformed");
    }
    String entity = parts.get("entitypath");
    SasRule rule = ruleFor(entity, name).orElseThrow(() -> new Refused("no-rule"));
    if (!rule.hasKey(key)) {
      throw new Refused("wrong-key");
    }
    ResourceScope scope =
        entity == null ? ResourceScope.NAMESPACE : new ResourceScope(entity, null);
    return new Principal(rule.name(), rule.topic(), scope, key, null, false);
  }

  /** A rule of {@code topic} by that name, else the cluster's rule of that name. */
  private Optional<SasRule> ruleFor(String topic, String name) {
    Optional<SasRule> rule = topic == null ? Optional.empty() : rules.find(topic, name);
    return rule.isPresent() ? rule : rules.find(null, name);
  }

  /**
   * Compares secrets in time that does not depend on where they differ, so that response times tell
   * an attacker nothing about a key.
   */
  static boolean constantTimeEquals(String a, String b) {
    return a != null
        && b != null
        && MessageDigest.isEqual(
            a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }
}
