package io.flod.broker.https;

import io.flod.broker.auth.Principal;
import io.flod.broker.auth.Right;
import io.flod.broker.auth.SasAuthenticator;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides whether an HTTPS publish may go ahead, with the same rules as the Kafka head: a SAS token
 * in the {@code Authorization} header with send on the topic, and a publisher policy that binds the
 * partition key. Bad credentials get 401 and no hint of which part was wrong; credentials that are
 * good but do not reach this topic or publisher get 403.
 */
final class PublishAuthorizer {
  private static final Logger log = LoggerFactory.getLogger(PublishAuthorizer.class);
  private final SasAuthenticator authenticator;

  /** {@code authenticator} null: a cluster without authentication, where anyone may publish. */
  PublishAuthorizer(SasAuthenticator authenticator) {
    this.authenticator = authenticator;
  }

  /**
   * Checks the request's credentials against the route; returns the publisher the events are sent
   * as (their partition key), or null when they are not bound to one.
   */
  String authorize(String authorization, PublishRoute route, String client) throws PublishRefused {
    if (authenticator == null) {
      return route.publisher();
    }
    Principal principal;
    try {
      principal = authenticator.authenticateToken(authorization);
    } catch (SasAuthenticator.Refused e) {
      log.info("client={} topic={} https publish refused: {}", client, route.topic(), e.reason());
      throw new PublishRefused(HttpResponseStatus.UNAUTHORIZED, "Unauthorized", e.getMessage());
    }
    if (!authenticator.permits(principal, Right.SEND, route.topic())) {
      throw forbidden(principal, route, "the credentials do not grant send on " + route.topic());
    }
    String bound = principal.scope().publisher();
    if (bound != null && route.publisher() != null && !bound.equals(route.publisher())) {
      throw forbidden(principal, route, "the token is for publisher " + bound);
    }
    String publisher = bound != null ? bound : route.publisher();
    if (publisher != null && authenticator.revoked(route.topic(), publisher)) {
      throw forbidden(
          principal, route, "publisher " + publisher + " is revoked on topic " + route.topic());
    }
    return publisher;
  }

  private static PublishRefused forbidden(Principal principal, PublishRoute route, String why) {
    log.info("principal={} topic={} https publish forbidden: {}", principal, route.topic(), why);
    return new PublishRefused(HttpResponseStatus.FORBIDDEN, "Forbidden", why);
  }
}
