package io.flod.controlplane.sas;

import jakarta.ws.rs.Path;

/** SAS rules on a whole cluster (a namespace): they cover every topic. */
@Path("/v1/tenants/{tenant}/clusters/{cluster}/authorizationRules")
public final class ClusterAuthorizationRulesResource extends AuthorizationRuleEndpoints {
  public ClusterAuthorizationRulesResource(AuthorizationRuleService rules) {
    super(rules);
  }
}
