package io.flod.broker.partition;

import java.util.List;

/** Stores a leader's new in-sync replica set, if its leadership is still the current one. */
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

  Result write(int leaderEpoch, List<Integer> newIsr);
}
