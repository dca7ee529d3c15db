package io.flod.controlplane.group;

import io.flod.api.ConsumerGroupPatch;
import io.flod.api.ConsumerGroupSpec;
import io.flod.api.ConsumerGroupView;
import io.flod.api.Page;
import io.flod.controlplane.auth.Caller;
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

/** {@code .../topics/{topic}/consumerGroups}. */
@Path("/v1/tenants/{tenant}/clusters/{cluster}/topics/{topic}/consumerGroups")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public final class ConsumerGroupsResource {
  private final ConsumerGroupService groups;

  public ConsumerGroupsResource(ConsumerGroupService groups) {
    this.groups = groups;
  }

  private static ConsumerGroupService.TopicRef ref(UriInfo uri) {
    var p = uri.getPathParameters();
    return new ConsumerGroupService.TopicRef(
        p.getFirst("tenant"), p.getFirst("cluster"), p.getFirst("topic"));
  }

  @POST
  public Response create(
      @Context ContainerRequestContext request, @Context UriInfo uri, ConsumerGroupSpec body) {
    ConsumerGroupView group = groups.create(Caller.of(request), ref(uri), body);
    return Response.created(URI.create(uri.getPath() + "/" + group.name())).entity(group).build();
  }

  @GET
  public Page<ConsumerGroupView> list(
      @Context ContainerRequestContext request, @Context UriInfo uri) {
    return new Page<>(groups.list(Caller.of(request), ref(uri)), null);
  }

  @GET
  @Path("{group}")
  public ConsumerGroupView get(
      @Context ContainerRequestContext request,
      @Context UriInfo uri,
      @PathParam("group") String group) {
    return groups.get(Caller.of(request), ref(uri), group);
  }

  @PATCH
  @Path("{group}")
  public ConsumerGroupView describe(
      @Context ContainerRequestContext request,
      @Context UriInfo uri,
      @PathParam("group") String group,
      ConsumerGroupPatch body) {
    return groups.describe(Caller.of(request), ref(uri), group, body);
  }

  @DELETE
  @Path("{group}")
  public Response delete(
      @Context ContainerRequestContext request,
      @Context UriInfo uri,
      @PathParam("group") String group) {
    groups.delete(Caller.of(request), ref(uri), group);
    return Response.noContent().build();
  }
}
