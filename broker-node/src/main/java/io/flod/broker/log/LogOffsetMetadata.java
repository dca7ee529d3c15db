package io.flod.broker.log;

/**
 * An offset with where it sits on disk: the segment holding it and the byte position in that
 * segment. Knowing the position lets a read stop exactly at the high watermark without a search.
 */
public record LogOffsetMetadata(long offset, long segmentBaseOffset, int position) {}
