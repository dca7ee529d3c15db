package io.flod.api;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * {@code POST .../topics/{topic}/consumerGroups}: a named view of the topic with its own position.
 */
public record ConsumerGroupSpec(
    @NotNull
        @Pattern(
            regexp = "[A-Za-z0-9._-]{1,255}",
            message = "1-255 letters, digits, '.', '_' or '-'")
        String name,
    @Size(max = 1024) String userMetadata) {}
