package io.flod.controlplane.cluster;

import io.flod.api.ThrottlingReport;
import io.flod.controlplane.auth.Caller;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;

/** {@code .../clusters/{cluster}/throttling}: which partitions hit the quota lately. */
@Path("/v1/tenants/{tenant}/clusters/{cluster}/throttling")
@Produces(MediaType.APPLICATION_JSON)
public final class ThrottlingResource {
  private final ThrottlingService throttling;

  public ThrottlingResource(ThrottlingService throttling) {
    this.throttling = throttling;
  }

  @GET
  public ThrottlingReport report(
      @Context ContainerRequestContext request,
      @PathParam("tenant") String tenant,
      @PathParam("cluster") String cluster) {
    return throttling.report(Caller.of(request), tenant, cluster);
  }
}
