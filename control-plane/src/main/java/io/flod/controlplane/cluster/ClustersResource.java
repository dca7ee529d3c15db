package io.flod.controlplane.cluster;

import io.flod.api.ClusterPatch;
import io.flod.api.ClusterSpec;
import io.flod.api.ClusterView;
import io.flod.api.OperationView;
import io.flod.api.Page;
import io.flod.controlplane.auth.Caller;
import io.flod.controlplane.http.Requests;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;

/** {@code /v1/tenants/{t}/clusters}: changes answer 202 with the operation to follow. */
@Path("/v1/tenants/{tenant}/clusters")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public final class ClustersResource {
  private final ClusterService clusters;

  public ClustersResource(ClusterService clusters) {
    this.clusters = clusters;
  }

  private static Response accepted(ClusterService.Accepted accepted) {
    OperationView operation = accepted.operation();
    return Response.accepted(operation)
        .location(URI.create("/v1/operations/" + operation.id()))
        .build();
  }

  @POST
  public Response create(
      @Context ContainerRequestContext request,
      @PathParam("tenant") String tenant,
      @HeaderParam("Idempotency-Key") String idempotencyKey,
      ClusterSpec body) {
    return accepted(
        clusters.create(
            Caller.of(request), tenant, Requests.valid(body).withDefaults(), idempotencyKey));
  }

  @GET
  public Page<ClusterView> list(
      @Context ContainerRequestContext request, @PathParam("tenant") String tenant) {
    return clusters.list(Caller.of(request), tenant);
  }

  @GET
  @Path("{cluster}")
  public Response get(
      @Context ContainerRequestContext request,
      @PathParam("tenant") String tenant,
      @PathParam("cluster") String cluster) {
    ClusterView view = clusters.get(Caller.of(request), tenant, cluster);
    return Response.ok(view).tag(view.etag().replace("\"", "")).build();
  }

  @PATCH
  @Path("{cluster}")
  public Response scale(
      @Context ContainerRequestContext request,
      @PathParam("tenant") String tenant,
      @PathParam("cluster") String cluster,
      @HeaderParam("If-Match") String ifMatch,
      @jakarta.ws.rs.QueryParam("dryRun") boolean dryRun,
      ClusterPatch body) {
    if (dryRun) {
      return Response.ok(clusters.plan(Caller.of(request), tenant, cluster, Requests.valid(body)))
          .build();
    }
    return accepted(
        clusters.scale(Caller.of(request), tenant, cluster, ifMatch, Requests.valid(body)));
  }

  @DELETE
  @Path("{cluster}")
  public Response delete(
      @Context ContainerRequestContext request,
      @PathParam("tenant") String tenant,
      @PathParam("cluster") String cluster,
      @HeaderParam("If-Match") String ifMatch) {
    return accepted(clusters.delete(Caller.of(request), tenant, cluster, ifMatch));
  }
}
