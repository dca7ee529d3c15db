package io.flod.broker.api;

import io.flod.broker.network.ApiVersionsHandlerSupport;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.ApiVersionsRequest;

/** ApiVersions: the APIs and version ranges this broker implements, from the registry. */
public final class ApiVersionsHandler implements ApiHandler<ApiVersionsRequest> {
  private final ApiRegistry registry;

  public ApiVersionsHandler(ApiRegistry registry) {
    this.registry = registry;
  }

  @Override
  public CompletableFuture<ApiMessage> handle(RequestContext context, ApiVersionsRequest request) {
    return CompletableFuture.completedFuture(ApiVersionsHandlerSupport.describe(registry));
  }
}
