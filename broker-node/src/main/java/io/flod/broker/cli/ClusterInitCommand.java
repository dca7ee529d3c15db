package io.flod.broker.cli;

import io.flod.broker.cluster.ClusterController;
import io.flod.broker.cluster.EmbeddedZooKeeper;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Creates a Flod cluster in ZooKeeper (Helix cluster, LeaderStandby state model, zone and update
 * domain topology) and runs its controller until stopped. With {@code --embedded-zk DIR} it also
 * runs a ZooKeeper server of its own, for a local cluster.
 */
@Command(
    name = "cluster-init",
    mixinStandardHelpOptions = true,
    description = "Create a cluster in ZooKeeper and run its controller until stopped.")
public final class ClusterInitCommand implements Callable<Integer> {
  @Option(names = "--zk", paramLabel = "CONNECT", description = "ZooKeeper connect string.")
  String zk;

  @Option(
      names = "--embedded-zk",
      paramLabel = "DIR",
      description = "Run a ZooKeeper server here (data in DIR) instead of using --zk.")
  Path embeddedZk;

  @Option(
      names = "--zk-port",
      defaultValue = "2181",
      description = "Port of the embedded ZooKeeper (default: ${DEFAULT-VALUE}; 0: any).")
  int zkPort;

  @Option(names = "--cluster", required = true, paramLabel = "NAME", description = "Cluster name.")
  String cluster;

  @Override
  public Integer call() throws Exception {
    if ((zk == null) == (embeddedZk == null)) {
      System.err.println("Give exactly one of --zk CONNECT or --embedded-zk DIR.");
      return 2;
    }
    EmbeddedZooKeeper server =
        embeddedZk == null ? null : EmbeddedZooKeeper.start(embeddedZk, zkPort);
    String connect = server == null ? zk : server.connectString();
    ClusterController controller = ClusterController.start(connect, cluster);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  controller.close();
                  if (server != null) {
                    server.close();
                  }
                  stopped.countDown();
                },
                "flod-shutdown"));
    System.out.println("cluster " + cluster + " controller running on ZooKeeper " + connect);
    System.out.flush();
    stopped.await();
    return 0;
  }
}
