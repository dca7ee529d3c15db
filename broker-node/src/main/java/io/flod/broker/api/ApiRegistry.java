package io.flod.broker.api;

import java.util.Collection;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractRequest;

/**
 * The APIs this broker serves and the versions of each whose semantics it implements: exactly what
 * {@code ApiVersions} advertises, and what the network layer accepts.
 */
public final class ApiRegistry {
  /** One served API. */
  public record SupportedApi(
      ApiKeys apiKey, short minVersion, short maxVersion, ApiHandler<AbstractRequest> handler) {
    public boolean supports(short version) {
      return version >= minVersion && version <= maxVersion;
    }
  }

  private final Map<ApiKeys, SupportedApi> apis = new EnumMap<>(ApiKeys.class);

  @SuppressWarnings("unchecked")
  public <Q extends AbstractRequest> ApiRegistry register(
      ApiKeys apiKey, int minVersion, int maxVersion, ApiHandler<Q> handler) {
    if (minVersion < apiKey.oldestVersion() || maxVersion > apiKey.latestVersion()) {
      throw new IllegalArgumentException(
          apiKey + " " + minVersion + "-" + maxVersion + " is outside what kafka-clients parses");
    }
    apis.put(
        apiKey,
        new SupportedApi(
            apiKey, (short) minVersion, (short) maxVersion, (ApiHandler<AbstractRequest>) handler));
    return this;
  }

  public Optional<SupportedApi> find(ApiKeys apiKey) {
    return Optional.ofNullable(apis.get(apiKey));
  }

  public Collection<SupportedApi> all() {
    return apis.values();
  }
}
