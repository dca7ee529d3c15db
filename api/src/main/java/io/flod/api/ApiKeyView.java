package io.flod.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An API key. {@code secret} is present only in the answer to its creation: the service keeps a
 * hash and cannot show it again.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApiKeyView(
    String id, String prefix, String createdAt, String revokedAt, String secret) {}
