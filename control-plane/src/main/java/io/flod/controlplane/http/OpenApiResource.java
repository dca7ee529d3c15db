package io.flod.controlplane.http;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** {@code /v1/openapi.json}: the contract, as the api module ships it. */
@Path("/v1/openapi.json")
public final class OpenApiResource {
  public static final String DOCUMENT = "/io/flod/api/openapi.json";
  private final byte[] document;

  public OpenApiResource() {
    try (InputStream in = OpenApiResource.class.getResourceAsStream(DOCUMENT)) {
      if (in == null) {
        throw new IllegalStateException(
            "the api module's " + DOCUMENT + " is missing from the classpath");
      }
      document = in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @GET
  @Produces(MediaType.APPLICATION_JSON)
  public byte[] document() {
    return document;
  }
}
