package io.flod.broker.auth;

import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.GroupAuthorizationException;

/**
 * Consumer groups belong to the topics they read, as in Event Hubs: a principal may join, commit
 * to, read the offsets of, describe or see a group only with the listen right on every topic the
 * group uses (its members' subscriptions and committed offsets, plus what the request adds), and
 * may delete a group or its offsets only with the manage right on all of them. A group that uses no
 * topic yet is open to anyone who may listen (or manage) somewhere. So a rule confined to one topic
 * cannot join, rebalance, read or delete the groups of another.
 */
final class GroupAccess {
  private final SasAuthenticator authenticator;
  private final Function<String, Set<String>> topicsOfGroup;

  GroupAccess(SasAuthenticator authenticator, Function<String, Set<String>> topicsOfGroup) {
    this.authenticator = authenticator;
    this.topicsOfGroup = topicsOfGroup;
  }

  /**
   * Null when {@code principal} holds {@code right} on every topic of the group and on {@code
   * requested}, else the error to answer with (naming the first topic that is not allowed).
   */
  ApiException need(
      Principal principal, Right right, String groupId, Collection<String> requested) {
    Set<String> topics = new TreeSet<>(topicsOfGroup.apply(groupId));
    topics.addAll(requested);
    if (topics.isEmpty()) {
      return authenticator.permitsSomewhere(principal, right)
          ? null
          : new GroupAuthorizationException(
              "Consumer groups need the " + right.name().toLowerCase() + " right.");
    }
    for (String topic : topics) {
      if (topic == null || !authenticator.permits(principal, right, topic)) {
        return new GroupAuthorizationException(
            "Not authorized to group "
                + groupId
                + ": it "
                + (requested.contains(topic) ? "would use" : "uses")
                + " topic "
                + topic
                + ", which needs the "
                + right.name().toLowerCase()
                + " right");
      }
    }
    return null;
  }

  /** Whether the principal may see the group in ListGroups and DescribeGroups. */
  boolean maySee(Principal principal, String groupId) {
    return need(principal, Right.LISTEN, groupId, Set.of()) == null;
  }
}
