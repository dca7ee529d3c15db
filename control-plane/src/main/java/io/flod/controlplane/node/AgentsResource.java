package io.flod.controlplane.node;

import io.flod.api.AgentAssignment;
import io.flod.api.AgentHeartbeat;
import io.flod.api.AgentInstruction;
import io.flod.api.AgentRegistration;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code /v1/agents}: where node agents register and report. Authenticated by the machine's
 * bootstrap token (not an API key), which {@link AgentService} checks.
 */
@Path("/v1/agents")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public final class AgentsResource {
  private final AgentService agents;

  public AgentsResource(AgentService agents) {
    this.agents = agents;
  }

  @POST
  @Path("register")
  public AgentAssignment register(
      @HeaderParam("Authorization") String authorization, AgentRegistration registration) {
    return agents.register(token(authorization), registration);
  }

  @POST
  @Path("heartbeat")
  public AgentInstruction heartbeat(
      @HeaderParam("Authorization") String authorization, AgentHeartbeat heartbeat) {
    return agents.heartbeat(token(authorization), heartbeat);
  }

  private static String token(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    return authorization.substring(7).trim();
  }
}
