package io.flod.controlplane.sas;

import jakarta.ws.rs.Path;

/** SAS rules on one topic (an event hub): they open that topic only. */
@Path("/v1/tenants/{tenant}/clusters/{cluster}/topics/{topic}/authorizationRules")
public final class TopicAuthorizationRulesResource extends AuthorizationRuleEndpoints {
  public TopicAuthorizationRulesResource(AuthorizationRuleService rules) {
    super(rules);
  }
}
