package io.flod.controlplane.tenant;

import io.flod.api.ApiKeyView;
import io.flod.api.Page;
import io.flod.api.TenantCreate;
import io.flod.api.TenantPatch;
import io.flod.api.TenantView;
import io.flod.controlplane.auth.Caller;
import io.flod.controlplane.http.Requests;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;

/** {@code /v1/tenants}: a thin translation between HTTP and {@link TenantService}. */
@Path("/v1/tenants")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public final class TenantsResource {
  private final TenantService tenants;

  public TenantsResource(TenantService tenants) {
    this.tenants = tenants;
  }

  @POST
  public Response create(@Context ContainerRequestContext request, TenantCreate body) {
    TenantService.Versioned<TenantView> created =
        tenants.create(Caller.of(request), Requests.valid(body));
    return Response.created(URI.create("/v1/tenants/" + created.value().name()))
        .tag(created.value().etag().replace("\"", ""))
        .entity(created.value())
        .build();
  }

  @GET
  public Page<TenantView> list(
      @Context ContainerRequestContext request,
      @QueryParam("pageSize") @DefaultValue("20") int pageSize,
      @QueryParam("pageToken") String pageToken) {
    return tenants.list(Caller.of(request), pageSize, pageToken);
  }

  @GET
  @Path("{name}")
  public Response get(@Context ContainerRequestContext request, @PathParam("name") String name) {
    TenantService.Versioned<TenantView> found = tenants.get(Caller.of(request), name);
    return Response.ok(found.value()).tag(Long.toString(found.version())).build();
  }

  @PATCH
  @Path("{name}")
  public Response patch(
      @Context ContainerRequestContext request,
      @PathParam("name") String name,
      @HeaderParam("If-Match") String ifMatch,
      TenantPatch body) {
    TenantService.Versioned<TenantView> changed =
        tenants.patch(Caller.of(request), name, ifMatch, Requests.valid(body));
    return Response.ok(changed.value()).tag(Long.toString(changed.version())).build();
  }

  @DELETE
  @Path("{name}")
  public Response delete(
      @Context ContainerRequestContext request,
      @PathParam("name") String name,
      @HeaderParam("If-Match") String ifMatch) {
    tenants.delete(Caller.of(request), name, ifMatch);
    return Response.noContent().build();
  }

  @POST
  @Path("{name}/keys")
  public Response createKey(
      @Context ContainerRequestContext request, @PathParam("name") String name) {
    ApiKeyView key = tenants.createKey(Caller.of(request), name);
    return Response.created(URI.create("/v1/tenants/" + name + "/keys/" + key.id()))
        .entity(key)
        .build();
  }

  @GET
  @Path("{name}/keys")
  public List<ApiKeyView> listKeys(
      @Context ContainerRequestContext request, @PathParam("name") String name) {
    return tenants.listKeys(Caller.of(request), name);
  }

  @DELETE
  @Path("{name}/keys/{id}")
  public Response revokeKey(
      @Context ContainerRequestContext request,
      @PathParam("name") String name,
      @PathParam("id") String id) {
    tenants.revokeKey(Caller.of(request), name, id);
    return Response.noContent().build();
  }
}
