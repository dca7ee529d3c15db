package io.flod.broker.network;

import io.flod.broker.api.ApiRegistry;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersionCollection;

/** Builds the ApiVersions answer from the registry: what the broker serves, nothing more. */
public final class ApiVersionsHandlerSupport {
  private ApiVersionsHandlerSupport() {}

  public static ApiVersionsResponseData describe(ApiRegistry registry) {
    ApiVersionCollection versions = new ApiVersionCollection();
    for (ApiRegistry.SupportedApi api : registry.all()) {
      versions.add(
          new ApiVersion()
              .setApiKey(api.apiKey().id)
              .setMinVersion(api.minVersion())
              .setMaxVersion(api.maxVersion()));
    }
    return new ApiVersionsResponseData().setApiKeys(versions);
  }
}
