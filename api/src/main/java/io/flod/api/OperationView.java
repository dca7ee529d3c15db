package io.flod.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** A long-running change: {@code GET /v1/operations/{id}}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OperationView(
    String id,
    String kind,
    String resource,
    String status,
    int percentComplete,
    String createdAt,
    String updatedAt,
    Error error,
    String requestedBy,
    String detail) {
  /** Why an operation failed. */
  public record Error(String code, String message) {}
}
