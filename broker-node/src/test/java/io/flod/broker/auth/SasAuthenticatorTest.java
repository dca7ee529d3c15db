package io.flod.broker.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flod.broker.support.ManualClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** SAS credentials as Event Hubs checks them: scope, rights, expiry, both keys, rotation. */
class SasAuthenticatorTest {
  private static final String NS = "sb://ns.tenant.flod/";
  private final ManualClock clock = new ManualClock();
  private final SasRuleBook rules = new SasRuleBook();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final SasAuthenticator auth = new SasAuthenticator(rules, clock, meters);

  SasAuthenticatorTest() {
    rules.replace(
        SasRuleBook.of(
            List.of(
                new SasRule("sender", null, Set.of(Right.SEND), "send-primary", "send-secondary"),
                new SasRule(
                    "root",
                    null,
                    Set.of(Right.SEND, Right.LISTEN, Right.MANAGE),
                    "root-primary",
                    "root-secondary"),
                new SasRule("reader", "h1", Set.of(Right.LISTEN), "h1-primary", "h1-secondary")),
            "broker-secret"));
  }

  private long in(long seconds) {
    return clock.instant().getEpochSecond() + seconds;
  }

  private Principal login(String password) throws SasAuthenticator.Refused {
    return auth.authenticate(SasAuthenticator.CONNECTION_STRING_USER, password);
  }

  private void refused(String password, String reason) {
    SasAuthenticator.Refused e =
        assertThrows(SasAuthenticator.Refused.class, () -> login(password));
    assertEquals("Authentication failed: invalid SAS credentials", e.getMessage(), "no hint");
    assertEquals(reason, e.reason());
  }

  @Test
  void aNamespaceTokenCoversEveryTopicWithItsRuleRights() throws Exception {
    Principal p = login(SasToken.sign(NS, "sender", "send-primary", in(3600)));
    assertTrue(auth.permits(p, Right.SEND, "h1"));
    assertTrue(auth.permits(p, Right.SEND, "anything"));
    assertFalse(auth.permits(p, Right.LISTEN, "h1"), "send only");
    assertFalse(auth.permits(p, Right.MANAGE, null));
    Principal root = login(SasToken.sign(NS, "root", "root-secondary", in(60)));
    assertTrue(auth.permits(root, Right.LISTEN, "h1"), "manage implies listen");
    assertTrue(auth.permits(root, Right.MANAGE, null));
  }

  @Test
  void aTopicTokenOpensThatTopicOnlyNotOneWithTheSamePrefix() throws Exception {
    Principal p = login(SasToken.sign(NS + "h1", "sender", "send-primary", in(3600)));
    assertTrue(auth.permits(p, Right.SEND, "h1"));
    assertFalse(auth.permits(p, Right.SEND, "h10"));
    assertFalse(auth.permits(p, Right.SEND, "h1x"));
    assertFalse(auth.permits(p, Right.SEND, null), "nor the cluster");

    Principal reader = login(SasToken.sign(NS + "h1", "reader", "h1-primary", in(3600)));
    assertTrue(auth.permits(reader, Right.LISTEN, "h1"));
    assertFalse(auth.permits(reader, Right.LISTEN, "h10"));
    refused(SasToken.sign(NS + "h10", "reader", "h1-primary", in(3600)), "no-rule");
    refused(SasToken.sign(NS, "reader", "h1-primary", in(3600)), "no-rule");
  }

  @Test
  void expiredForgedWrongRuleAndMalformedTokensAreRefusedAndCounted() {
    refused(SasToken.sign(NS, "sender", "send-primary", in(-1)), "expired");
    refused(SasToken.sign(NS, "sender", "not-the-key", in(60)), "bad-signature");
    refused(SasToken.sign(NS, "nobody", "send-primary", in(60)), "no-rule");
    String token = SasToken.sign(NS, "sender", "send-primary", in(60));
    refused(token.replace("se=" + in(60), "se=" + in(6000)), "bad-signature");
    refused("SharedAccessSignature sr=x&sig=y", "malformed");
    refused("SharedAccessSignature sr=a&sig=b&se=soon&skn=sender", "malformed");
    refused("Endpoint=sb://ns/;SharedAccessKeyName=sender", "malformed");
    refused("Endpoint=sb://ns/;SharedAccessKeyName=sender;SharedAccessKey=wrong", "wrong-key");
    assertThrows(SasAuthenticator.Refused.class, () -> auth.authenticate("admin", "send-primary"));
    assertEquals(1.0, meters.counter("flod.broker.auth.failures", "reason", "expired").count());
    assertEquals(
        2.0, meters.counter("flod.broker.auth.failures", "reason", "bad-signature").count());
  }

  @Test
  void aTokenStopsWorkingOnALiveConnectionWhenItExpires() throws Exception {
    Principal p = login(SasToken.sign(NS, "sender", "send-primary", in(60)));
    assertTrue(auth.permits(p, Right.SEND, "h1"));
    clock.advance(60_000);
    assertFalse(auth.permits(p, Right.SEND, "h1"));
  }

  @Test
  void connectionStringsWithEitherKeyAndRegenerationEndsTheOldKey() throws Exception {
    Principal primary =
        login("Endpoint=" + NS + ";SharedAccessKeyName=sender;SharedAccessKey=send-primary");
    Principal secondary =
        login("Endpoint=" + NS + ";SharedAccessKeyName=sender;SharedAccessKey=send-secondary");
    Principal topicRule =
        login(
            "Endpoint="
                + NS
                + ";SharedAccessKeyName=reader;SharedAccessKey=h1-primary;EntityPath=h1");
    assertTrue(auth.permits(topicRule, Right.LISTEN, "h1"));
    assertFalse(auth.permits(topicRule, Right.LISTEN, "h2"));
    Principal narrowed =
        login(
            "Endpoint="
                + NS
                + ";SharedAccessKeyName=sender;SharedAccessKey=send-primary;EntityPath=h2");
    assertFalse(auth.permits(narrowed, Right.SEND, "h1"), "EntityPath narrows a cluster rule");

    rules.replace(
        SasRuleBook.of(
            List.of(
                new SasRule(
                    "sender", null, Set.of(Right.SEND), "send-primary-2", "send-secondary")),
            "broker-secret"));
    assertFalse(auth.permits(primary, Right.SEND, "h1"), "regenerated primary: access ends");
    assertTrue(auth.permits(secondary, Right.SEND, "h1"), "the other key goes on working");
    assertFalse(auth.current(primary));
    refused(
        "Endpoint=" + NS + ";SharedAccessKeyName=sender;SharedAccessKey=send-primary", "wrong-key");
    assertFalse(auth.permits(topicRule, Right.LISTEN, "h1"), "deleted rule");
  }

  @Test
  void brokersLogInWithTheClusterSecret() throws Exception {
    Principal broker = auth.authenticate(SasAuthenticator.BROKER_USER, "broker-secret");
    assertTrue(auth.permits(broker, Right.LISTEN, "h1"));
    assertThrows(
        SasAuthenticator.Refused.class,
        () -> auth.authenticate(SasAuthenticator.BROKER_USER, "guess"));
  }
}
