package io.flod.agent;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bin/flod agent}: the node agent of one machine. */
@Command(
    name = "agent",
    mixinStandardHelpOptions = true,
    description = "Run the node agent: register, run and supervise this machine's broker.")
public final class NodeAgentMain implements Callable<Integer> {
  @Option(names = "--control-plane", required = true, paramLabel = "URL")
  String controlPlane;

  @Option(
      names = "--token",
      paramLabel = "TOKEN",
      defaultValue = "${env:FLOD_TOKEN}",
      description = "Bootstrap token (default: FLOD_TOKEN from the environment).")
  String token;

  @Option(names = "--data-dir", required = true, paramLabel = "DIR")
  Path dataDir;

  @Option(
      names = "--host",
      paramLabel = "HOST",
      description = "Address clients reach the broker at (default: this host's address).")
  String host;

  @Option(names = "--broker-port", defaultValue = "9092", paramLabel = "PORT")
  int brokerPort;

  @Option(
      names = "--http-port",
      defaultValue = "-1",
      paramLabel = "PORT",
      description = "Port of the broker's HTTPS publishing head (default: none).")
  int httpPort;

  @Override
  public Integer call() throws Exception {
    if (token == null || token.isBlank()) {
      System.err.println("A bootstrap token is needed: --token or FLOD_TOKEN.");
      return 2;
    }
    String address = host != null ? host : InetAddress.getLocalHost().getHostAddress();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String brokerOptions =
        System.getenv()
            .getOrDefault(
                "FLOD_BROKER_JAVA_OPTS",
                "-Xms64m -Xmx512m -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError");
    DataDirLock lock = DataDirLock.tryAcquire(dataDir);
    if (lock == null) {
      System.err.println(
          "Another agent runs with data directory " + dataDir + ": this one stops here.");
      return 3;
    }
    NodeAgent agent =
        new NodeAgent(
            new NodeAgent.Settings(
                controlPlane,
                token,
                dataDir,
                address,
                brokerPort,
                httpPort,
                List.of(java),
                brokerOptions));
    // The hook also keeps the lock reachable: a collected channel would release it.
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  agent.close();
                  lock.close();
                },
                "flod-agent-shutdown"));
    agent.start();
    agent.awaitShutdown();
    return 0;
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new NodeAgentMain()).execute(args));
  }
}
