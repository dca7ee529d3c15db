package io.flod.api;

/**
 * A tenant as the API returns it; {@code etag} repeats the ETag header for clients that keep
 * bodies.
 */
public record TenantView(
    String id, String name, String displayName, String createdAt, String etag) {}
