package io.flod.broker.partition;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Stores a leader's new in-sync replica set, if its leadership is still the current one.
 *
 * <p>Asynchronous, and never run on the caller's thread: the store is ZooKeeper, and the callers
 * hold the partition lock that produce and fetch take. A slow or unreachable ZooKeeper must leave
 * the request path alone (as Kafka's KIP-497 made ISR changes asynchronous).
 */
@FunctionalInterface
public interface IsrWriter {
  enum Result {
    /** Stored: the new ISR is in effect. */
    WRITTEN,
    /** A newer leadership exists: the caller must stop acting as leader. */
    FENCED,
    /** Not stored this time (the store was unreachable); try again later. */
    FAILED
  }

  CompletionStage<Result> write(int leaderEpoch, List<Integer> newIsr);
}
