package io.flod.controlplane.e2e;

import io.flod.broker.cli.FlodBrokerMain;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine;

/**
 * Stands in for a node agent on a local machine where only the ports matter: takes the options the
 * local provider gives an agent and runs, in the same process, a standalone broker on the machine's
 * ports with the fallback agents use. One JVM per machine instead of two, and no control plane.
 */
public final class StandaloneBrokerAgent {
  private StandaloneBrokerAgent() {}

  public static void main(String[] args) {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      options.put(args[i], args[i + 1]);
    }
    String dataDir = options.get("--data-dir");
    System.exit(
        new CommandLine(new FlodBrokerMain())
            .execute(
                "broker",
                "--standalone",
                "--listen",
                options.get("--host") + ":" + options.get("--broker-port"),
                "--data-dir",
                dataDir + "/broker",
                "-c",
                "listen.port.fallback=true",
                "-c",
                "https.port=" + options.getOrDefault("--http-port", "-1"),
                "-c",
                "offsets.topic.num.partitions=1"));
  }
}
