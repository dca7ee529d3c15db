package io.flod.broker.cli;

import io.flod.broker.Broker;
import io.flod.broker.config.BrokerConfig;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code flod standalone}: one broker on 127.0.0.1:9092 (or a free port if that one is taken) with
 * its data under {@code ~/.flod/standalone} and topic auto-creation on: Kafka without the service
 * around it. {@code flod up} starts the whole service.
 */
@Command(
    name = "standalone",
    mixinStandardHelpOptions = true,
    description = "Start one standalone broker locally and print how to connect.")
public final class UpCommand implements Callable<Integer> {
  @Option(names = "--data-dir", description = "Data directory (default: ~/.flod/standalone).")
  Path dataDir = Path.of(System.getProperty("user.home"), ".flod", "standalone");

  @Option(
      names = "--port",
      defaultValue = "9092",
      description = "Preferred port (default: ${DEFAULT-VALUE}).")
  int port;

  @Override
  public Integer call() throws Exception {
    // A local playground: topics appear on first use, so kcat and console tools work at once.
    BrokerConfig config =
        BrokerConfig.from(System.getenv(), Map.of(BrokerConfig.AUTO_CREATE_TOPICS_ENABLE, "true"));
    int chosen = LoopbackPorts.isFree(port) ? port : 0;
    Broker broker =
        Broker.startStandalone(dataDir, new InetSocketAddress("127.0.0.1", chosen), null, config);
    BrokerCommand.runUntilSignalled(
        broker,
        () -> {
          String bootstrap = broker.bootstrapServers();
          System.out.println("listening on " + bootstrap);
          System.out.println();
          System.out.println("Flod is up: a standalone Kafka-compatible broker.");
          System.out.println("  bootstrap servers: " + bootstrap);
          System.out.println("  data directory:    " + dataDir.toAbsolutePath());
          System.out.println("Try it:");
          System.out.println("  kcat -b " + bootstrap + " -L");
          System.out.println("  echo 'k1:hello' | kcat -b " + bootstrap + " -t demo -K: -P");
          System.out.println("  kcat -b " + bootstrap + " -t demo -C -e -f '%k: %s\\n'");
          System.out.println(
              "Topics are created on first use here (auto.create.topics.enable=true).");
          System.out.println("Ctrl-C stops it.");
          System.out.flush();
        });
    return 0;
  }
}
