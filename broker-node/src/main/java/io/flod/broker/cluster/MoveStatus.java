package io.flod.broker.cluster;

import java.util.List;

/**
 * Replica moves of a cluster: those in progress and how many partitions the balancer would still
 * move after them. The placement is settled when both are zero.
 */
public record MoveStatus(List<PartitionMove> inFlight, int planned) {

  /** True when nothing moves and the balancer has nothing more to move. */
  public boolean settled() {
    return inFlight.isEmpty() && planned == 0;
  }
}
