package io.flod.controlplane.cluster;

import io.flod.api.OperationView;
import io.flod.controlplane.auth.Caller;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;

/** {@code /v1/operations/{id}}: how a long-running change is getting on. */
@Path("/v1/operations")
@Produces(MediaType.APPLICATION_JSON)
public final class OperationsResource {
  private final ClusterService clusters;

  public OperationsResource(ClusterService clusters) {
    this.clusters = clusters;
  }

  @GET
  @Path("{id}")
  public OperationView get(@Context ContainerRequestContext request, @PathParam("id") String id) {
    return clusters.operation(Caller.of(request), id);
  }

  @jakarta.ws.rs.POST
  @Path("{id}/cancel")
  public OperationView cancel(
      @Context ContainerRequestContext request, @PathParam("id") String id) {
    return clusters.cancel(Caller.of(request), id);
  }
}
