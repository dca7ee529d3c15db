package io.flod.controlplane.http;

import io.flod.api.Problem.FieldError;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/** Checks request bodies and conditional headers the same way for every resource. */
public final class Requests {
  private static final ValidatorFactory FACTORY = Validation.buildDefaultValidatorFactory();
  private static final Validator VALIDATOR = FACTORY.getValidator();

  private Requests() {}

  /** Returns {@code body} if present and valid; otherwise throws a 400 naming each bad field. */
  public static <T> T valid(T body) {
    if (body == null) {
      throw new ApiException(ApiException.Kind.MALFORMED, "A JSON request body is required.");
    }
    Set<ConstraintViolation<T>> violations = VALIDATOR.validate(body);
    if (!violations.isEmpty()) {
      List<FieldError> errors =
          violations.stream()
              .map(v -> new FieldError(v.getPropertyPath().toString(), v.getMessage()))
              .sorted(Comparator.comparing(FieldError::field))
              .toList();
      throw new ApiException(ApiException.Kind.VALIDATION, "Some fields are not valid.", errors);
    }
    return body;
  }

  /** The ETag of a resource at {@code version}. */
  public static String etag(long version) {
    return "\"" + version + "\"";
  }

  /** Throws 412 unless {@code ifMatch} is absent, {@code *}, or names {@code version}. */
  public static void checkIfMatch(String ifMatch, long version) {
    if (ifMatch == null || ifMatch.isBlank() || ifMatch.trim().equals("*")) {
      return;
    }
    for (String tag : ifMatch.split(",")) {
      String t = tag.trim();
      if (t.startsWith("W/")) {
        t = t.substring(2);
      }
      if (t.equals(etag(version))) {
        return;
      }
    }
    throw new ApiException(
        ApiException.Kind.PRECONDITION_FAILED,
        "If-Match " + ifMatch + " does not match the current ETag " + etag(version) + ".");
  }
}
