package io.flod.controlplane.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code bin/flod up} says about brokers that do not run, from the cluster's status: each such
 * node with its broker's state, exit code and last error, so a cluster that does not become Ready
 * says why instead of only where the logs are.
 */
public final class UpCommandReport {
  private UpCommandReport() {}

  /**
   * The nodes whose broker is not running and why, from a cluster's status: "node-1: broker
   * crashLooping (exit 1): cannot listen on 127.0.0.1:44803 (Kafka): address already in use".
   */
  public static List<String> problems(JsonNode view) {
    List<String> problems = new ArrayList<>();
    for (JsonNode node : view.at("/status/nodes")) {
      String brokerState = node.path("brokerState").asText("");
      if ("running".equals(brokerState)) {
        continue;
      }
      String error = node.path("lastError").asText("");
      String who = node.path("nodeId").asText("?") + ": broker ";
      if (!error.isEmpty()) {
        JsonNode exit = node.path("lastExitCode");
        problems.add(
            who
                + (brokerState.isEmpty() ? "not running" : brokerState)
                + (exit.isNumber() ? " (exit " + exit.asInt() + ")" : "")
                + ": "
                + error);
      } else if (!brokerState.isEmpty() && !"starting".equals(brokerState)) {
        problems.add(who + brokerState);
      }
    }
    return problems;
  }

  /** What {@code bin/flod up} prints when the cluster did not become Ready in time. */
  public static String notReady(JsonNode view, Path dataDir) {
    StringBuilder out =
        new StringBuilder("flod: the cluster did not become Ready in 5 minutes (")
            .append(view.at("/status/state").asText("unknown"))
            .append(")");
    List<String> problems = problems(view);
    if (problems.isEmpty()) {
      out.append("; no broker reported an error");
    } else {
      out.append(":");
      problems.forEach(p -> out.append(System.lineSeparator()).append("  ").append(p));
    }
    return out.append(System.lineSeparator())
        .append("flod: machines' logs are under ")
        .append(dataDir.resolve("machines"))
        .append(" (<node>/agent.log, <node>/data/broker.log)")
        .append(System.lineSeparator())
        .toString();
  }
}
