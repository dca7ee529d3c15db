package io.flod.broker.cli;

import io.flod.broker.Broker;
import io.flod.broker.cluster.ClusterMembership;
import io.flod.broker.config.BrokerConfig;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code flod broker}: runs a broker until SIGTERM or Ctrl-C, then shuts it down cleanly. */
@Command(
    name = "broker",
    mixinStandardHelpOptions = true,
    description = "Run a Kafka-compatible broker.")
public final class BrokerCommand implements Callable<Integer> {
  @Option(names = "--standalone", description = "Run as a one-broker cluster.")
  boolean standalone;

  @Option(
      names = "--zk",
      paramLabel = "CONNECT",
      description = "Cluster mode: ZooKeeper connect string (host:port[,host:port...]).")
  String zk;

  @Option(names = "--cluster", paramLabel = "NAME", description = "Cluster mode: cluster name.")
  String cluster;

  @Option(
      names = "--zone",
      paramLabel = "ZONE",
      description =
          "Cluster mode: this broker's fault zone (replicas of a partition spread over"
              + " zones).")
  String zone;

  @Option(
      names = "--update-domain",
      paramLabel = "UD",
      description =
          "Cluster mode: this broker's update domain (taken down together for" + " maintenance).")
  String updateDomain;

  @Option(
      names = "--listen",
      paramLabel = "HOST:PORT",
      description = "Address to listen on; port 0 picks a free port.")
  String listen;

  @Option(
      names = "--advertised-host",
      paramLabel = "HOST",
      description = "Host name given to clients (default: the listen host).")
  String advertisedHost;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "Where logs and metadata live.")
  Path dataDir;

  @Option(
      names = "--node-id",
      defaultValue = "0",
      description = "This broker's id (default: ${DEFAULT-VALUE}).")
  int nodeId;

  @Option(
      names = {"-c", "--config"},
      paramLabel = "KEY=VALUE",
      description =
          "A broker config (see `docs/broker-config.md`); repeatable. Also FLOD_<KEY> env vars.")
  Map<String, String> configs = new LinkedHashMap<>();

  @Option(
      names = "--print-config-docs",
      description = "Print the configuration reference (Markdown) and exit.")
  boolean printConfigDocs;

  @Override
  public Integer call() throws Exception {
    if (printConfigDocs) {
      System.out.print(io.flod.broker.config.ConfigDocs.render());
      return 0;
    }
    boolean clustered = zk != null || cluster != null;
    if (standalone == clustered) {
      System.err.println(
          "Choose one mode: --standalone, or cluster mode with --zk CONNECT --cluster NAME"
              + " --zone ZONE; see bin/flod broker --help");
      return 2;
    }
    if (clustered && (zk == null || cluster == null)) {
      System.err.println("Cluster mode needs both --zk and --cluster.");
      return 2;
    }
    if (listen == null || dataDir == null) {
      System.err.println("--listen and --data-dir are required; see bin/flod broker --help");
      return 2;
    }
    Map<String, String> explicit = new LinkedHashMap<>(configs);
    explicit.put(BrokerConfig.NODE_ID, Integer.toString(nodeId));
    BrokerConfig config = BrokerConfig.from(System.getenv(), explicit);
    Broker broker;
    try {
      broker =
          clustered
              ? Broker.startClustered(
                  dataDir,
                  parse(listen),
                  advertisedHost,
                  config,
                  new ClusterMembership.Settings(zk, cluster, zone, updateDomain))
              : Broker.startStandalone(dataDir, parse(listen), advertisedHost, config);
      // The ports actually bound (a taken port falls back to a free one): for the node agent.
      ListenersFile.write(
          dataDir,
          new ListenersFile.Bound(
              ProcessHandle.current().pid(),
              broker.bootstrapServers().substring(0, broker.bootstrapServers().lastIndexOf(':')),
              broker.boundAddress().getPort(),
              broker.httpsPort()));
    } catch (Exception e) {
      // The stack trace for whoever reads the log, then one line naming the cause (what node
      // agents report as the broker's last error).
      e.printStackTrace();
      System.err.println(StartupFailure.line(e));
      System.err.flush();
      return 1;
    }
    runUntilSignalled(
        broker,
        () -> {
          if (broker.httpsUrl() != null) {
            System.out.println("publishing over HTTP on " + broker.httpsUrl());
          }
          System.out.println("listening on " + broker.bootstrapServers());
          System.out.flush();
        });
    return 0;
  }

  static InetSocketAddress parse(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("expected HOST:PORT, got " + hostPort);
    }
    return new InetSocketAddress(
        hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
  }

  /** Announces readiness, then blocks until the JVM is asked to stop, and closes the broker. */
  static void runUntilSignalled(Broker broker, Runnable announce) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  broker.close();
                  stopped.countDown();
                },
                "flod-shutdown"));
    announce.run();
    stopped.await();
  }
}
