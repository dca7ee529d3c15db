package io.flod.controlplane.topic;

import io.flod.api.OperationView;
import io.flod.controlplane.auth.Caller;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;

/** {@code .../topics/{topic}/partitions/{p}}: what an operator does to one partition. */
@Path("/v1/tenants/{tenant}/clusters/{cluster}/topics/{topic}/partitions/{partition}")
@Produces(MediaType.APPLICATION_JSON)
public final class PartitionsResource {
  private final PartitionLossService losses;

  public PartitionsResource(PartitionLossService losses) {
    this.losses = losses;
  }

  /** Brings an offline partition back, accepting the loss of what its lost replicas held. */
  @POST
  @Path("acceptDataLoss")
  public Response acceptDataLoss(
      @Context ContainerRequestContext request,
      @PathParam("tenant") String tenant,
      @PathParam("cluster") String cluster,
      @PathParam("topic") String topic,
      @PathParam("partition") int partition) {
    OperationView done =
        losses.acceptDataLoss(Caller.of(request), tenant, cluster, topic, partition);
    return Response.ok(done).location(URI.create("/v1/operations/" + done.id())).build();
  }
}
