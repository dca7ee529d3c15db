package io.flod.api;

/** A topic as the API returns it, every setting resolved. */
public record TopicView(
    String name,
    int partitions,
    int replicationFactor,
    int retentionHours,
    int minInsyncReplicas,
    String cleanupPolicy,
    int maxMessageBytes,
    String etag) {}
