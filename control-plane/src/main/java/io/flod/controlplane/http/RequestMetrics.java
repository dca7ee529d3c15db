package io.flod.controlplane.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.annotation.Priority;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.ext.Provider;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.glassfish.jersey.server.ExtendedUriInfo;
import org.glassfish.jersey.uri.UriTemplate;

/**
 * Counts and times every request by method, route template ({@code /v1/tenants/{name}}, never the
 * concrete path, so tenant names do not become labels) and status: {@code flod_api_requests}.
 */
@Provider
@PreMatching
@Priority(1)
public final class RequestMetrics implements ContainerRequestFilter, ContainerResponseFilter {
  private static final String START = "flod.metrics.start";
  private final MeterRegistry registry;

  public RequestMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void filter(ContainerRequestContext request) {
    request.setProperty(START, System.nanoTime());
  }

  @Override
  public void filter(ContainerRequestContext request, ContainerResponseContext response) {
    Object start = request.getProperty(START);
    if (!(start instanceof Long started)) {
      return;
    }
    Timer.builder("flod.api.requests")
        .description("REST requests by route and status")
        .tag("method", request.getMethod())
        .tag("route", route(request))
        .tag("status", Integer.toString(response.getStatus()))
        .publishPercentiles(0.5, 0.99)
        .register(registry)
        .record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  private static String route(ContainerRequestContext request) {
    if (!(request.getUriInfo() instanceof ExtendedUriInfo info)
        || info.getMatchedTemplates().isEmpty()) {
      return "unmatched";
    }
    List<UriTemplate> templates = new ArrayList<>(info.getMatchedTemplates());
    Collections.reverse(templates);
    StringBuilder route = new StringBuilder();
    for (UriTemplate template : templates) {
      String part = template.getTemplate();
      if (!part.startsWith("/") && !route.toString().endsWith("/")) {
        route.append('/');
      }
      route.append(part);
    }
    return route.toString().replaceAll("/+", "/");
  }
}
