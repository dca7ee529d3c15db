package io.flod.broker.group;

import java.util.EnumSet;
import java.util.Set;

/**
 * The classic group protocol's states, and the only transitions allowed between them:
 *
 * <pre>
 *   EMPTY ──join──► PREPARING_REBALANCE ──all joined / timeout──► COMPLETING_REBALANCE
 *     ▲                 ▲        │ (no member left)                    │ leader's SyncGroup
 *     └─────────────────┼────────┘                                     ▼
 *                       └──── join, leave, expiry ─────────────────  STABLE
 *   any ──group deleted or offsets partition moved away──► DEAD
 * </pre>
 *
 * The names returned by {@link #clientName()} are what ListGroups and DescribeGroups report.
 */
public enum GroupState {
  EMPTY("Empty"),
  PREPARING_REBALANCE("PreparingRebalance"),
  COMPLETING_REBALANCE("CompletingRebalance"),
  STABLE("Stable"),
  DEAD("Dead");

  private final String clientName;

  GroupState(String clientName) {
    this.clientName = clientName;
  }

  public String clientName() {
    return clientName;
  }

  Set<GroupState> validPrevious() {
    return switch (this) {
      case EMPTY -> EnumSet.of(PREPARING_REBALANCE);
      case PREPARING_REBALANCE -> EnumSet.of(EMPTY, COMPLETING_REBALANCE, STABLE);
      case COMPLETING_REBALANCE -> EnumSet.of(PREPARING_REBALANCE);
      case STABLE -> EnumSet.of(COMPLETING_REBALANCE);
      case DEAD -> EnumSet.allOf(GroupState.class);
    };
  }
}
