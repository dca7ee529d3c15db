package io.flod.controlplane.sas;

import io.flod.api.AuthorizationRuleKeys;
import io.flod.api.AuthorizationRulePatch;
import io.flod.api.AuthorizationRuleSpec;
import io.flod.api.AuthorizationRuleView;
import io.flod.api.Page;
import io.flod.api.RegenerateKeyRequest;
import io.flod.controlplane.auth.Caller;
import io.flod.controlplane.http.Requests;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;

/**
 * The endpoints of SAS rules, shared by the cluster-level and topic-level resources: each subclass
 * only fixes the path. (One class at a shorter path would capture the clusters' and topics' own
 * routes: JAX-RS picks a single resource class by its longest literal path and does not backtrack.)
 */
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public abstract class AuthorizationRuleEndpoints {
  private final AuthorizationRuleService rules;

  protected AuthorizationRuleEndpoints(AuthorizationRuleService rules) {
    this.rules = rules;
  }

  private static AuthorizationRuleService.Scope scope(UriInfo uri) {
    var params = uri.getPathParameters();
    return new AuthorizationRuleService.Scope(
        params.getFirst("tenant"), params.getFirst("cluster"), params.getFirst("topic"));
  }

  @POST
  public Response create(
      @Context ContainerRequestContext request, @Context UriInfo uri, AuthorizationRuleSpec body) {
    AuthorizationRuleView rule = rules.create(Caller.of(request), scope(uri), Requests.valid(body));
    return Response.created(URI.create(uri.getPath() + "/" + rule.name())).entity(rule).build();
  }

  @GET
  public Page<AuthorizationRuleView> list(
      @Context ContainerRequestContext request, @Context UriInfo uri) {
    return new Page<>(rules.list(Caller.of(request), scope(uri)), null);
  }

  @GET
  @Path("{rule}")
  public AuthorizationRuleView get(
      @Context ContainerRequestContext request,
      @Context UriInfo uri,
      @PathParam("rule") String rule) {
    return rules.get(Caller.of(request), scope(uri), rule);
  }

  @DELETE
  @Path("{rule}")
  public Response delete(
      @Context ContainerRequestContext request,
      @Context UriInfo uri,
      @PathParam("rule") String rule) {
    rules.delete(Caller.of(request), scope(uri), rule);
    return Response.noContent().build();
  }

  @PATCH
  @Path("{rule}")
  public AuthorizationRuleView grant(
      @Context ContainerRequestContext request,
      @Context UriInfo uri,
      @PathParam("rule") String rule,
      AuthorizationRulePatch body) {
    return rules.grant(Caller.of(request), scope(uri), rule, Requests.valid(body).rights());
  }

  @POST
  @Path("{rule}/listKeys")
  public AuthorizationRuleKeys listKeys(
      @Context ContainerRequestContext request,
      @Context UriInfo uri,
      @PathParam("rule") String rule) {
    return rules.keys(Caller.of(request), scope(uri), rule);
  }

  @POST
  @Path("{rule}/regenerateKeys")
  public AuthorizationRuleKeys regenerate(
      @Context ContainerRequestContext request,
      @Context UriInfo uri,
      @PathParam("rule") String rule,
      RegenerateKeyRequest body) {
    return rules.regenerate(Caller.of(request), scope(uri), rule, Requests.valid(body).keyType());
  }
}
