package io.flod.controlplane.health;

import io.flod.controlplane.db.Database;
import io.flod.controlplane.zk.ClusterCoordination;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/**
 * Liveness ({@code /healthz}: the process answers) and readiness ({@code /readyz}: the database and
 * ZooKeeper do).
 */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public final class HealthResource {
  private final Database db;
  private final ClusterCoordination zookeeper;

  public HealthResource(Database db, ClusterCoordination zookeeper) {
    this.db = db;
    this.zookeeper = zookeeper;
  }

  @GET
  @Path("healthz")
  public Map<String, String> healthz() {
    return Map.of("status", "ok");
  }

  @GET
  @Path("readyz")
  public Response readyz() {
    try {
      db.sessions()
          .inSession(s -> s.createNativeQuery("SELECT 1", Integer.class).getSingleResult());
      if (!zookeeper.connected()) {
        return Response.status(503).entity(Map.of("status", "zookeeper unavailable")).build();
      }
      return Response.ok(Map.of("status", "ready")).build();
    } catch (RuntimeException e) {
      return Response.status(503).entity(Map.of("status", "database unavailable")).build();
    }
  }
}
