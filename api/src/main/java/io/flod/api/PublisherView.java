package io.flod.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A publisher of a topic (the {@code <name>} of a token for {@code <topic>/publishers/<name>}):
 * revoked or not, and since when.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PublisherView(String name, boolean revoked, String revokedAt) {}
