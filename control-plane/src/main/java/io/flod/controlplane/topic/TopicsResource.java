package io.flod.controlplane.topic;

import io.flod.api.Page;
import io.flod.api.TopicPatch;
import io.flod.api.TopicSpec;
import io.flod.api.TopicView;
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

/**
 * {@code /v1/tenants/{t}/clusters/{c}/topics}: topics change at once (201/200/204), not as
 * operations.
 */
@Path("/v1/tenants/{tenant}/clusters/{cluster}/topics")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public final class TopicsResource {
  private final TopicService topics;

  public TopicsResource(TopicService topics) {
    this.topics = topics;
  }

  private static Response withEtag(Response.ResponseBuilder response, TopicView view) {
    return response.entity(view).tag(view.etag().replace("\"", "")).build();
  }

  @POST
  public Response create(
      @Context ContainerRequestContext request,
      @PathParam("tenant") String tenant,
      @PathParam("cluster") String cluster,
      TopicSpec body) {
    TopicView created = topics.create(Caller.of(request), tenant, cluster, Requests.valid(body));
    return withEtag(
        Response.created(
            URI.create(
                "/v1/tenants/" + tenant + "/clusters/" + cluster + "/topics/" + created.name())),
        created);
  }

  @GET
  public Page<TopicView> list(
      @Context ContainerRequestContext request,
      @PathParam("tenant") String tenant,
      @PathParam("cluster") String cluster) {
    return new Page<>(topics.list(Caller.of(request), tenant, cluster), null);
  }

  @GET
  @Path("{topic}")
  public Response get(
      @Context ContainerRequestContext request,
      @PathParam("tenant") String tenant,
      @PathParam("cluster") String cluster,
      @PathParam("topic") String topic) {
    return withEtag(Response.ok(), topics.get(Caller.of(request), tenant, cluster, topic));
  }

  @PATCH
  @Path("{topic}")
  public Response change(
      @Context ContainerRequestContext request,
      @PathParam("tenant") String tenant,
      @PathParam("cluster") String cluster,
      @PathParam("topic") String topic,
      @HeaderParam("If-Match") String ifMatch,
      TopicPatch body) {
    return withEtag(
        Response.ok(),
        topics.change(Caller.of(request), tenant, cluster, topic, ifMatch, Requests.valid(body)));
  }

  @DELETE
  @Path("{topic}")
  public Response delete(
      @Context ContainerRequestContext request,
      @PathParam("tenant") String tenant,
      @PathParam("cluster") String cluster,
      @PathParam("topic") String topic,
      @HeaderParam("If-Match") String ifMatch) {
    topics.delete(Caller.of(request), tenant, cluster, topic, ifMatch);
    return Response.noContent().build();
  }
}
