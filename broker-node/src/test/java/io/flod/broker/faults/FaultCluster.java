package io.flod.broker.faults;

import static org.awaitility.Awaitility.await;

import io.flod.broker.cluster.ClusterController;
import io.flod.broker.cluster.EmbeddedZooKeeper;
import io.flod.broker.cluster.PartitionState;
import io.flod.broker.faults.LinkProxy.Link;
import io.flod.broker.support.BrokerProcess;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Flod cluster whose every network link runs through a {@link LinkProxy}: an embedded ZooKeeper,
 * the controller in this JVM, and brokers in their own JVMs.
 *
 * <p>Addresses: broker {@code N} listens on {@code 127.0.1.N:P} and advertises {@code 127.0.3.N:P},
 * where its listener proxy listens; so clients and the other brokers' replica fetchers all go
 * through the proxy. The proxy tells a peer broker's fetcher from a client by the Kafka client id
 * of the connection's first request ({@code flod-replica-M}): one proxy per broker is enough to
 * partition a leader from its followers while clients still reach it, with no broker setting and no
 * source-address binding. Each broker, and the controller, reach ZooKeeper through a proxy of their
 * own, so one of them can be cut from ZooKeeper alone. The port {@code P} is kept across restarts,
 * so the addresses clients know stay valid.
 *
 * <p>With {@code tmpfsDisks}, each broker's data directory is a small tmpfs of its own (needs root
 * and mount), so {@link #fillDisk} can fill it.
 */
public final class FaultCluster implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FaultCluster.class);
  public static final String CONTROLLER = "controller";

  /** ZooKeeper proxies listen here: away from 127.0.0.1, where clients take ephemeral ports. */
  private static final String ZK_PROXY_HOST = "127.0.2.1";

  private final Path dir;
  private final String name;
  private final List<String> brokerConfigs;
  private final EventLoopGroup proxyLoop = new NioEventLoopGroup(2);
  private final EmbeddedZooKeeper zk;
  private final LinkProxy controllerZk;
  private final ClusterController controller;
  private final Map<Integer, BrokerProcess> brokers = new TreeMap<>();
  private final Map<Integer, LinkProxy> listeners = new TreeMap<>();
  private final Map<Integer, LinkProxy> zkLinks = new TreeMap<>();
  private final Map<Integer, Integer> ports = new TreeMap<>();
  private final Map<Integer, TmpfsDisk> disks = new TreeMap<>();
  private final boolean tmpfsDisks;

  private FaultCluster(Path dir, String name, boolean tmpfsDisks, List<String> brokerConfigs)
      throws Exception {
    this.dir = dir;
    this.name = name;
    this.tmpfsDisks = tmpfsDisks;
    this.brokerConfigs = brokerConfigs;
    this.zk = EmbeddedZooKeeper.start(dir.resolve("zk"), 0);
    this.controllerZk = zkProxy(CONTROLLER);
    this.controller = ClusterController.start(address(controllerZk.front()), name);
  }

  /**
   * Starts ZooKeeper, the controller and {@code brokers} brokers, each behind its proxies; with
   * {@code tmpfsDisks} each broker's data directory is a tmpfs of {@code TmpfsDisk.SIZE}.
   */
  public static FaultCluster start(
      Path dir, String name, int brokers, boolean tmpfsDisks, String... brokerConfigs)
      throws Exception {
    FaultCluster cluster = new FaultCluster(dir, name, tmpfsDisks, List.of(brokerConfigs));
    try {
      for (int id = 1; id <= brokers; id++) {
        cluster.startBroker(id);
      }
    } catch (Exception e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  private LinkProxy zkProxy(String peer) throws InterruptedException {
    InetSocketAddress real = parse(zk.connectString());
    return new LinkProxy(
        "zk-for-" + peer,
        new InetSocketAddress(ZK_PROXY_HOST, 0),
        real,
        proxyLoop,
        LinkProxy.fixed(peer));
  }

  private static InetSocketAddress parse(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    return new InetSocketAddress(
        hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
  }

  private static String address(InetSocketAddress a) {
    return a.getHostString() + ":" + a.getPort();
  }

  public Path dataDir(int id) {
    return dir.resolve("broker-" + id);
  }

  public java.util.Set<Integer> brokerIds() {
    return brokers.keySet();
  }

  public BrokerProcess broker(int id) {
    return brokers.get(id);
  }

  public ClusterController controller() {
    return controller;
  }

  /** Starts broker {@code id}, or restarts it on its data directory and port. */
  public synchronized BrokerProcess startBroker(int id) throws Exception {
    Path data = dataDir(id);
    if (tmpfsDisks && !disks.containsKey(id)) {
      disks.put(id, TmpfsDisk.mount(data));
    }
    LinkProxy zkLink = zkLinks.get(id);
    if (zkLink == null) {
      zkLink = zkProxy("broker-" + id);
      zkLinks.put(id, zkLink);
    }
    List<String> args =
        new ArrayList<>(
            List.of(
                "--zk",
                address(zkLink.front()),
                "--cluster",
                name,
                "--node-id",
                Integer.toString(id),
                "--zone",
                "zone-" + id,
                "--advertised-host",
                frontHost(id)));
    for (String config : brokerConfigs) {
      args.add("-c");
      args.add(config);
    }
    Integer port = ports.get(id);
    String listen = backHost(id) + ":" + (port == null ? 0 : port);
    BrokerProcess broker =
        BrokerProcess.startClusteredOn(data, listen, args.toArray(String[]::new));
    brokers.put(id, broker);
    if (port == null) {
      int bound = parse(broker.bootstrapServers()).getPort();
      ports.put(id, bound);
      listeners.put(
          id,
          new LinkProxy(
              "broker-" + id,
              new InetSocketAddress(frontHost(id), bound),
              new InetSocketAddress(backHost(id), bound),
              proxyLoop,
              LinkProxy::kafkaPeer));
    }
    log.info("cluster={} node={} started, pid {}, listens {}", name, id, broker.pid(), listen);
    return broker;
  }

  /** Where broker {@code id}'s listener proxy listens and what the broker advertises. */
  private static String frontHost(int id) {
    return "127.0.3." + id;
  }

  private static String backHost(int id) {
    return "127.0.1." + id;
  }

  /** Every broker's advertised (proxied) address. */
  public String bootstrap() {
    return listeners.values().stream()
        .map(p -> address(p.front()))
        .collect(Collectors.joining(","));
  }

  public Admin admin() {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000);
    return Admin.create(props);
  }

  /** Creates a topic and waits until each partition has a leader and a full ISR. */
  public void createTopic(String topic, int partitions, int replicas, Map<String, String> configs)
      throws Exception {
    try (Admin admin = admin()) {
      admin
          .createTopics(List.of(new NewTopic(topic, partitions, (short) replicas).configs(configs)))
          .all()
          .get();
    }
    await()
        .atMost(Duration.ofSeconds(60))
        .ignoreExceptions()
        .until(
            () -> {
              List<PartitionState> states =
                  partitionStates().stream()
                      .filter(s -> s.topicPartition().topic().equals(topic))
                      .toList();
              return states.size() == partitions
                  && states.stream().allMatch(s -> s.hasLeader() && s.isr().size() == replicas);
            });
  }

  /** The stored state of every partition (read by the controller from ZooKeeper directly). */
  public List<PartitionState> partitionStates() {
    return controller.partitionStates();
  }

  public PartitionState state(TopicPartition tp) {
    return partitionStates().stream()
        .filter(s -> s.topicPartition().equals(tp))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("no state for " + tp));
  }

  // ---- process faults ----

  public void kill(int id) throws InterruptedException {
    brokers.get(id).kill();
  }

  public void pause(int id) throws IOException, InterruptedException {
    brokers.get(id).pause();
  }

  public void resume(int id) throws IOException, InterruptedException {
    brokers.get(id).resume();
  }

  /** SIGTERM and wait for the clean stop (throws if it takes over 30 s), then start again. */
  public void restart(int id) throws Exception {
    brokers.get(id).terminate();
    startBroker(id);
  }

  public boolean isAlive(int id) {
    return brokers.get(id).isAlive();
  }

  // ---- network faults ----

  /**
   * Cuts replication between {@code id} and every other broker, both ways (its fetchers to them and
   * theirs to it); clients still reach everyone, and ZooKeeper is untouched.
   */
  public void partitionFromPeers(int id) {
    for (int other : listeners.keySet()) {
      if (other != id) {
        listeners.get(id).set("broker-" + other, Link.PARTITIONED);
        listeners.get(other).set("broker-" + id, Link.PARTITIONED);
      }
    }
  }

  /**
   * Drops what broker {@code from} sends to broker {@code to} on their replication links, while
   * {@code to} still reaches {@code from}: {@code from}'s fetch requests to {@code to} and its
   * answers to {@code to}'s fetches are held.
   */
  public void partitionOneWay(int from, int to) {
    listeners.get(to).set("broker-" + from, new Link(true, false, 0));
    listeners.get(from).set("broker-" + to, new Link(false, true, 0));
  }

  /** Cuts broker {@code id} from ZooKeeper only (clients and peers still reach it). */
  public void partitionFromZooKeeper(int id) {
    zkLinks.get(id).set(LinkProxy.ANY, Link.PARTITIONED);
  }

  /** Cuts ZooKeeper from every broker and from the controller. */
  public void partitionZooKeeperFromEveryone() {
    zkLinks.values().forEach(p -> p.set(LinkProxy.ANY, Link.PARTITIONED));
    controllerZk.set(LinkProxy.ANY, Link.PARTITIONED);
  }

  /** Delays every byte to and from broker {@code id}'s listener by {@code ms}. */
  public void delayBroker(int id, long ms) {
    listeners.get(id).set(LinkProxy.ANY, Link.delayed(ms));
  }

  /** Resets every connection to broker {@code id}'s listener (clients and peers reconnect). */
  public void resetConnections(int id) {
    listeners.get(id).reset(LinkProxy.ANY);
  }

  public LinkProxy listenerProxy(int id) {
    return listeners.get(id);
  }

  public LinkProxy zooKeeperProxy(int id) {
    return zkLinks.get(id);
  }

  /** Opens every link. */
  public void healNetwork() {
    listeners.values().forEach(LinkProxy::healAll);
    zkLinks.values().forEach(LinkProxy::healAll);
    controllerZk.healAll();
  }

  // ---- disk faults ----

  /** Fills broker {@code id}'s data disk (its tmpfs) to the last byte. */
  public void fillDisk(int id) throws IOException {
    TmpfsDisk disk = disks.get(id);
    if (disk == null) {
      throw new IllegalStateException("broker " + id + " has no tmpfs disk");
    }
    disk.fill();
  }

  public void freeDisk(int id) throws IOException {
    TmpfsDisk disk = disks.get(id);
    if (disk != null) {
      disk.free();
    }
  }

  public void freeAllDisks() throws IOException {
    for (TmpfsDisk disk : disks.values()) {
      disk.free();
    }
  }

  @Override
  public void close() throws Exception {
    healNetwork();
    for (BrokerProcess broker : brokers.values()) {
      try {
        broker.resume(); // a paused process cannot be killed cleanly from Java's view
      } catch (IOException ignored) {
        // not running
      }
      broker.close();
    }
    controller.close();
    listeners.values().forEach(LinkProxy::close);
    zkLinks.values().forEach(LinkProxy::close);
    controllerZk.close();
    zk.close();
    proxyLoop.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
    for (TmpfsDisk disk : disks.values()) {
      disk.close();
    }
  }

  /** A small tmpfs mounted on a broker's data directory, and a file that fills it. */
  static final class TmpfsDisk implements AutoCloseable {
    static final String SIZE = System.getProperty("faults.disk.size", "256m");
    private final Path mountPoint;
    private final Path filler;

    private TmpfsDisk(Path mountPoint) {
      this.mountPoint = mountPoint;
      this.filler = mountPoint.resolve("zz-disk-filler");
    }

    /** Whether this process may mount a tmpfs (root with CAP_SYS_ADMIN). */
    static boolean mountPermitted(Path scratch) {
      try {
        Path probe = Files.createDirectories(scratch.resolve("tmpfs-probe"));
        if (run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", probe.toString()) != 0) {
          return false;
        }
        run("umount", probe.toString());
        return true;
      } catch (Exception e) {
        return false;
      }
    }

    static TmpfsDisk mount(Path dir) throws IOException, InterruptedException {
      Files.createDirectories(dir);
      int exit = run("mount", "-t", "tmpfs", "-o", "size=" + SIZE, "tmpfs", dir.toString());
      if (exit != 0) {
        throw new IOException("mount -t tmpfs on " + dir + " exited with " + exit);
      }
      return new TmpfsDisk(dir);
    }

    void fill() throws IOException {
      byte[] chunk = new byte[1 << 20];
      try (OutputStream out = Files.newOutputStream(filler)) {
        while (true) {
          out.write(chunk);
        }
      } catch (IOException full) {
        // ENOSPC: the disk is full; write what still fits in small pieces
        try (OutputStream out =
            Files.newOutputStream(filler, java.nio.file.StandardOpenOption.APPEND)) {
          while (true) {
            out.write(chunk, 0, 512);
          }
        } catch (IOException fuller) {
          log.info("disk {} full: {}", mountPoint, fuller.getMessage());
        }
      }
    }

    void free() throws IOException {
      Files.deleteIfExists(filler);
    }

    @Override
    public void close() throws Exception {
      run("umount", "-l", mountPoint.toString());
    }

    private static int run(String... command) throws IOException, InterruptedException {
      return new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start()
          .waitFor();
    }
  }
}
