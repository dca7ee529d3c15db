package io.flod.api;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/** {@code PATCH .../topics/{name}}: what may change (null: unchanged); partitions only grow. */
public record TopicPatch(
    @Min(1) @Max(1024) Integer partitions,
    @Min(1) @Max(87600) Integer retentionHours,
    @Min(1) @Max(5) Integer minInsyncReplicas,
    @Min(1024) @Max(104857600) Integer maxMessageBytes) {}
