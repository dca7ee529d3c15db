package io.flod.broker.cluster;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;

/**
 * Chooses the brokers of each new partition's replicas on two dimensions at once: fault zones
 * (never two replicas of a partition in one zone while there are at least as many zones as
 * replicas) and update domains (likewise, so that taking one update domain down for maintenance
 * leaves every partition with all but one replica). Within those rules it evens out replicas per
 * broker and, for the first replica (the preferred leader), leaders per broker.
 *
 * <p>Helix's own placement (CRUSH, WAGED) handles one fault-zone dimension and knows nothing of the
 * in-sync replicas that Flod's leader choice depends on, so Flod places replicas itself and writes
 * the result into a CUSTOMIZED ideal state.
 */
public final class ReplicaPlacer {
  /** A broker that can hold replicas. A null update domain is a domain of its own. */
  public record Node(int id, String zone, String updateDomain) {
    String domain() {
      return updateDomain == null ? "node-" + id : updateDomain;
    }

    String faultZone() {
      return zone == null ? "node-" + id : zone;
    }
  }

  private ReplicaPlacer() {}

  /**
   * Replica lists for partitions {@code first .. first+count-1}; the first broker of each list is
   * its preferred leader. {@code seed} rotates the start so that topics do not all favour the same
   * brokers.
   */
  public static List<List<Integer>> place(
      List<Node> nodes, int first, int count, int replicationFactor, int seed) {
    if (replicationFactor > nodes.size()) {
      throw new InvalidReplicationFactorException(
          "Replication factor: "
              + replicationFactor
              + " larger than available brokers: "
              + nodes.size()
              + ".");
    }
    List<Node> sorted = new ArrayList<>(nodes);
    sorted.sort(Comparator.comparingInt(Node::id));
    int n = sorted.size();
    int[] replicasOn = new int[n];
    int[] leadersOn = new int[n];
    List<List<Integer>> result = new ArrayList<>(count);
    for (int p = first; p < first + count; p++) {
      List<Integer> chosen = new ArrayList<>(replicationFactor);
      Set<Integer> chosenIndexes = new HashSet<>();
      Set<String> zones = new HashSet<>();
      Set<String> domains = new HashSet<>();
      for (int r = 0; r < replicationFactor; r++) {
        int best = -1;
        long bestScore = Long.MAX_VALUE;
        for (int k = 0; k < n; k++) {
          int i = Math.floorMod(k + seed + p, n);
          if (chosenIndexes.contains(i)) {
            continue;
          }
          Node node = sorted.get(i);
          // Lexicographic: zone clash, then domain clash, then leaders (first replica), then load.
          long score =
              (zones.contains(node.faultZone()) ? 1L << 50 : 0)
                  + (domains.contains(node.domain()) ? 1L << 40 : 0)
                  + (r == 0 ? (long) leadersOn[i] << 20 : 0)
                  + replicasOn[i];
          if (score < bestScore) {
            bestScore = score;
            best = i;
          }
        }
        Node node = sorted.get(best);
        chosenIndexes.add(best);
        chosen.add(node.id());
        zones.add(node.faultZone());
        domains.add(node.domain());
        replicasOn[best]++;
        if (r == 0) {
          leadersOn[best]++;
        }
      }
      result.add(List.copyOf(chosen));
    }
    return result;
  }
}
