package io.flod.api;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/** {@code PATCH .../clusters/{c}}: scale by node count or throughput units (null: unchanged). */
public record ClusterPatch(
    @Min(1) @Max(100) Integer nodeCount, @Min(1) @Max(40) Integer throughputUnits) {}
