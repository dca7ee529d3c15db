package io.flod.api;

import jakarta.validation.constraints.Size;

/** {@code PATCH .../consumerGroups/{g}}: a group's user metadata (its position is untouched). */
public record ConsumerGroupPatch(@Size(max = 1024) String userMetadata) {}
