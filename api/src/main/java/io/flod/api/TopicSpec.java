package io.flod.api;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

/**
 * A topic (an event hub): {@code POST .../clusters/{c}/topics}. Absent numbers take defaults: 4
 * partitions, replication factor min(3, node count), 168 hours of retention, min.insync.replicas 1,
 * cleanup "delete", 1 MiB messages.
 */
public record TopicSpec(
    @NotNull
        @Pattern(
            regexp = "[a-zA-Z0-9._-]{1,249}",
            message = "1-249 letters, digits, '.', '_' or '-'")
        String name,
    @Min(1) @Max(1024) Integer partitions,
    @Min(1) @Max(5) Integer replicationFactor,
    @Min(1) @Max(87600) Integer retentionHours,
    @Min(1) @Max(5) Integer minInsyncReplicas,
    @Pattern(regexp = "delete|compact", message = "delete or compact") String cleanupPolicy,
    @Min(1024) @Max(104857600) Integer maxMessageBytes) {}
