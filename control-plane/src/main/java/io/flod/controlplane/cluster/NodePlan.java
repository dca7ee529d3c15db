package io.flod.controlplane.cluster;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The machines a cluster's spec asks for, and what going from the machines it has to them means.
 * Pure decisions, no I/O: the one copy both the reconciler and the API's scale dry-run use.
 */
public final class NodePlan {
  private static final String PREFIX = "node-";

  private NodePlan() {}

  /** A node the spec asks for. */
  public record DesiredNode(String name, int brokerId, String zone, String updateDomain) {}

  /** Nodes to make and nodes to retire (drained, then destroyed), in name order. */
  public record Change(List<String> add, List<String> retire) {}

  /**
   * node-0 .. node-(n-1), spread over the zones in turn; each round over the zones is the next
   * update domain (of {@code updateDomains}), so neither a zone nor an update domain holds two of
   * the first nodes.
   */
  public static List<DesiredNode> desired(int nodeCount, List<String> zones, int updateDomains) {
    List<DesiredNode> nodes = new ArrayList<>();
    for (int i = 0; i < nodeCount; i++) {
      nodes.add(
          new DesiredNode(
              nodeName(i),
              i,
              zones.get(i % zones.size()),
              "ud" + ((i / zones.size()) % updateDomains)));
    }
    return nodes;
  }

  /** What the spec asks of a cluster: {@link #desired(int, List, int)} of its fields. */
  public static List<DesiredNode> desired(Cluster cluster) {
    return desired(cluster.nodeCount(), cluster.zones(), cluster.updateDomains());
  }

  /** From the nodes that exist (machines or records) to the desired ones. */
  public static Change change(Collection<String> existing, List<DesiredNode> desired) {
    Set<String> wanted = desired.stream().map(DesiredNode::name).collect(Collectors.toSet());
    Set<String> have = new TreeSet<>(existing);
    List<String> add =
        desired.stream().map(DesiredNode::name).filter(n -> !have.contains(n)).toList();
    List<String> retire = have.stream().filter(n -> !wanted.contains(n)).toList();
    return new Change(add, retire);
  }

  public static String nodeName(int brokerId) {
    return PREFIX + brokerId;
  }

  public static int brokerIdOf(String nodeName) {
    return Integer.parseInt(nodeName.substring(PREFIX.length()));
  }
}
