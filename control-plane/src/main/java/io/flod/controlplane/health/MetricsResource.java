package io.flod.controlplane.health;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;

/** {@code /metrics} in Prometheus' text format. */
@Path("/metrics")
public final class MetricsResource {
  private final PrometheusMeterRegistry registry;

  public MetricsResource(PrometheusMeterRegistry registry) {
    this.registry = registry;
  }

  @GET
  @Produces("text/plain; version=0.0.4; charset=utf-8")
  public String scrape() {
    return registry.scrape();
  }
}
