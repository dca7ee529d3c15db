package io.flod.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * Every error the REST API returns, as {@code application/problem+json} (RFC 9457): a type URI, a
 * short title, the HTTP status, a human-readable detail, per-field errors for validation, and for
 * unexpected failures a correlation id to quote to an operator. Never a stack trace.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(
    String type,
    String title,
    int status,
    String detail,
    List<FieldError> errors,
    String correlationId) {

  public static final String MEDIA_TYPE = "application/problem+json";

  /** One invalid field of a request body or query. */
  public record FieldError(String field, String message) {}
}
