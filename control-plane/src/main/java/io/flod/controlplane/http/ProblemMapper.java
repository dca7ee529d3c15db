package io.flod.controlplane.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.flod.api.Problem;
import io.flod.controlplane.db.UniqueViolations;
import jakarta.persistence.OptimisticLockException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.List;
import java.util.UUID;
import org.hibernate.StaleStateException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one exit for errors: everything becomes {@code application/problem+json}. */
@Provider
public final class ProblemMapper implements ExceptionMapper<Throwable> {
  private static final Logger log = LoggerFactory.getLogger(ProblemMapper.class);
  private static final String TYPE_BASE = "https://flod.io/problems/";

  @Override
  public Response toResponse(Throwable error) {
    Throwable cause = unwrap(error);
    if (cause instanceof ApiException api) {
      return problem(api.kind(), api.getMessage(), api.fieldErrors());
    }
    if (cause instanceof UnrecognizedPropertyException unknown) {
      return problem(
          ApiException.Kind.VALIDATION,
          "The body has a field this resource does not have.",
          List.of(new Problem.FieldError(unknown.getPropertyName(), "unknown field")));
    }
    if (cause instanceof JsonProcessingException json) {
      return problem(
          ApiException.Kind.MALFORMED,
          "The body is not valid JSON for this resource: " + json.getOriginalMessage(),
          null);
    }
    if (cause instanceof OptimisticLockException || cause instanceof StaleStateException) {
      return problem(
          ApiException.Kind.PRECONDITION_FAILED,
          "Another request changed this resource first; read it again.",
          null);
    }
    if (UniqueViolations.is(error)) {
      // Creates retry once (UniqueViolations.retryOnce); this is the backstop for any write that
      // still lost a race for a unique name: a conflict to read again, not a server error.
      log.info("request lost a race for a unique name: {}", cause.toString());
      return problem(
          ApiException.Kind.CONFLICT,
          "Another request created or changed a resource of the same name at the same time;"
              + " read it again.",
          null);
    }
    if (cause instanceof WebApplicationException web && web.getResponse().getStatus() < 500) {
      int status = web.getResponse().getStatus();
      String title = web.getResponse().getStatusInfo().getReasonPhrase();
      return Response.status(status)
          .type(Problem.MEDIA_TYPE)
          .entity(new Problem(TYPE_BASE + "http-" + status, title, status, title, null, null))
          .build();
    }
    String correlationId = UUID.randomUUID().toString();
    log.error("correlationId={} request failed", correlationId, error);
    return Response.status(500)
        .type(Problem.MEDIA_TYPE)
        .entity(
            new Problem(
                TYPE_BASE + "internal",
                "Internal error",
                500,
                "Something went wrong on our side; quote the correlation id when reporting it.",
                null,
                correlationId))
        .build();
  }

  private static Response problem(
      ApiException.Kind kind, String detail, List<Problem.FieldError> errors) {
    Response.ResponseBuilder response =
        Response.status(kind.status)
            .type(Problem.MEDIA_TYPE)
            .entity(
                new Problem(TYPE_BASE + kind.type, kind.title, kind.status, detail, errors, null));
    if (kind == ApiException.Kind.UNAUTHORIZED) {
      response.header("WWW-Authenticate", "Bearer");
    }
    return response.build();
  }

  private static Throwable unwrap(Throwable error) {
    Throwable cause = error;
    while (cause.getCause() != null
        && !(cause instanceof ApiException)
        && !(cause instanceof JsonProcessingException)
        && !(cause instanceof OptimisticLockException)) {
      cause = cause.getCause();
    }
    return cause instanceof ApiException
            || cause instanceof JsonProcessingException
            || cause instanceof OptimisticLockException
            || cause instanceof StaleStateException
        ? cause
        : error;
  }
}
