package io.flod.broker.log;

/**
 * What an append did: the offsets given to the records (or, for a retried batch of an idempotent
 * producer, the offsets it got the first time), and the log-append time when the topic uses it.
 */
public record LogAppendResult(
    long firstOffset,
    long lastOffset,
    long logAppendTimeMs,
    long logStartOffset,
    int recordCount,
    int sizeInBytes,
    boolean duplicate) {}
