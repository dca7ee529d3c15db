package io.flod.api;

import java.util.List;

/**
 * What a scale would do ({@code PATCH ...?dryRun=true}), changing nothing: nodes to add and to
 * remove, and the replicas that would move off the removed nodes with their bytes. Replica moves
 * are empty until replication places partitions on nodes.
 */
public record ScalePlan(
    int currentNodes,
    int targetNodes,
    List<String> nodesToAdd,
    List<String> nodesToRemove,
    List<String> replicasToMove,
    long bytesToMove) {}
