package io.flod.broker.log;

/**
 * Where a leader epoch ends in a log: the largest epoch at or below the one asked about and the
 * first offset after it, or {@code (-1, -1)} when the log knows no such epoch.
 */
public record EpochEnd(int epoch, long endOffset) {}
