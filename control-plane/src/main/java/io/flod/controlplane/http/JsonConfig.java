package io.flod.controlplane.http;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.ws.rs.ext.ContextResolver;
import jakarta.ws.rs.ext.Provider;

/** JSON as the API speaks it: unknown fields are errors, not silently dropped input. */
@Provider
public final class JsonConfig implements ContextResolver<ObjectMapper> {
  private final ObjectMapper mapper =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  @Override
  public ObjectMapper getContext(Class<?> type) {
    return mapper;
  }
}
