package io.flod.controlplane.sas;

import io.flod.api.Page;
import io.flod.api.PublisherView;
import io.flod.controlplane.auth.Caller;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code .../topics/{topic}/publishers}: the revoked publishers, and revoke / unrevoke of one
 * (Event Hubs' publisher policy: a revoked publisher's token no longer sends).
 */
@Path("/v1/tenants/{tenant}/clusters/{cluster}/topics/{topic}/publishers")
@Produces(MediaType.APPLICATION_JSON)
public final class PublishersResource {
  private final PublisherService publishers;

  public PublishersResource(PublisherService publishers) {
    this.publishers = publishers;
  }

  private static AuthorizationRuleService.Scope topic(String tenant, String cluster, String topic) {
    return new AuthorizationRuleService.Scope(tenant, cluster, topic);
  }

  @GET
  public Page<PublisherView> revoked(
      @Context ContainerRequestContext request,
      @PathParam("tenant") String tenant,
      @PathParam("cluster") String cluster,
      @PathParam("topic") String topic) {
    return new Page<>(publishers.revoked(Caller.of(request), topic(tenant, cluster, topic)), null);
  }

  @POST
  @Path("{publisher}/revoke")
  public PublisherView revoke(
      @Context ContainerRequestContext request,
      @PathParam("tenant") String tenant,
      @PathParam("cluster") String cluster,
      @PathParam("topic") String topic,
      @PathParam("publisher") String publisher) {
    return publishers.revoke(Caller.of(request), topic(tenant, cluster, topic), publisher);
  }

  @POST
  @Path("{publisher}/unrevoke")
  public PublisherView unrevoke(
      @Context ContainerRequestContext request,
      @PathParam("tenant") String tenant,
      @PathParam("cluster") String cluster,
      @PathParam("topic") String topic,
      @PathParam("publisher") String publisher) {
    return publishers.restore(Caller.of(request), topic(tenant, cluster, topic), publisher);
  }
}
