package io.flod.controlplane.http;

import io.flod.api.Problem.FieldError;
import java.util.List;

/**
 * The closed set of errors a request can end in, each with its HTTP status and problem type. The
 * one {@link ProblemMapper} turns them into {@code application/problem+json}; anything else that
 * escapes a resource is a bug and becomes a bare 500 with a correlation id.
 */
public final class ApiException extends RuntimeException {
  /** The kinds of failure, with status and title. */
  public enum Kind {
    VALIDATION(400, "validation-failed", "The request is not valid"),
    MALFORMED(400, "malformed-request", "The request could not be read"),
    UNAUTHORIZED(401, "unauthorized", "A valid API key is required"),
    FORBIDDEN(403, "forbidden", "This key may not do that"),
    NOT_FOUND(404, "not-found", "No such resource"),
    CONFLICT(409, "conflict", "The request conflicts with the resource's state"),
    PRECONDITION_FAILED(412, "precondition-failed", "The resource changed since it was read"),
    PAYLOAD_TOO_LARGE(413, "payload-too-large", "The request body is too large"),
    UNPROCESSABLE(422, "unprocessable", "The request cannot be processed"),
    UNAVAILABLE(503, "unavailable", "A part the request needs cannot be reached now");

    final int status;
    final String type;
    final String title;

    Kind(int status, String type, String title) {
      this.status = status;
      this.type = type;
      this.title = title;
    }
  }

  private final Kind kind;
  private final List<FieldError> fieldErrors;

  public ApiException(Kind kind, String detail) {
    this(kind, detail, null);
  }

  public ApiException(Kind kind, String detail, List<FieldError> fieldErrors) {
    super(detail, null, false, false);
    this.kind = kind;
    this.fieldErrors = fieldErrors;
  }

  public Kind kind() {
    return kind;
  }

  public List<FieldError> fieldErrors() {
    return fieldErrors;
  }

  public static ApiException notFound(String what) {
    return new ApiException(Kind.NOT_FOUND, what + " does not exist.");
  }
}
