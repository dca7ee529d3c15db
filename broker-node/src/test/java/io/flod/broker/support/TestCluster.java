package io.flod.broker.support;

import static org.awaitility.Awaitility.await;

import io.flod.broker.auth.SasRuleBook;
import io.flod.broker.cluster.ClusterController;
import io.flod.broker.cluster.EmbeddedZooKeeper;
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
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * A Flod cluster for integration tests: an embedded ZooKeeper on a free port, the Helix controller
 * and leader elector in this JVM, and brokers in their own JVMs (so that tests can SIGKILL, SIGSTOP
 * and restart them). Broker {@code i} joins zone {@code zone-i} unless told otherwise.
 */
public final class TestCluster implements AutoCloseable {
  private io.flod.broker.cluster.RecordSeal rulesSeal;
  private final Path dir;
  private final String name;
  private final List<String> brokerConfigs;
  private final EmbeddedZooKeeper zk;
  private final ClusterController controller;
  private final Map<Integer, BrokerProcess> brokers = new TreeMap<>();
  private Map<String, Object> clientSecurity = Map.of();

  private TestCluster(Path dir, String name, List<String> brokerConfigs) throws Exception {
    this.dir = dir;
    this.name = name;
    this.brokerConfigs = brokerConfigs;
    this.zk = EmbeddedZooKeeper.start(dir.resolve("zk"), 0);
    this.controller = ClusterController.start(zk.connectString(), name);
  }

  /**
   * Starts ZooKeeper, the controller and {@code brokers} brokers; {@code brokerConfigs} are {@code
   * key=value} settings given to every broker.
   */
  public static TestCluster start(Path dir, String name, int brokers, String... brokerConfigs)
      throws Exception {
    TestCluster cluster = new TestCluster(dir, name, List.of(brokerConfigs));
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

  /**
   * A cluster whose brokers require SASL with these SAS rules (published before the first broker
   * starts); {@link #admin} logs in with {@code adminConnectionString}.
   */
  public static TestCluster startWithSas(
      Path dir,
      String name,
      int brokers,
      SasRuleBook.Snapshot rules,
      String adminConnectionString,
      String... brokerConfigs)
      throws Exception {
    List<String> configs = new ArrayList<>(List.of(brokerConfigs));
    configs.add("sasl.enabled=true");
    String rulesKey = io.flod.broker.cluster.RecordSeal.newKeyBase64();
    configs.add("sas.rules.key=" + rulesKey);
    TestCluster cluster = new TestCluster(dir, name, configs);
    try {
      cluster.rulesSeal = io.flod.broker.cluster.RecordSeal.fromBase64(rulesKey);
      cluster.sasRules().publish(rules);
      cluster.clientSecurity = saslPlain(adminConnectionString);
      for (int id = 1; id <= brokers; id++) {
        cluster.startBroker(id);
      }
    } catch (Exception e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  /** Client settings for SASL/PLAIN as Event Hubs takes it: user $ConnectionString. */
  public static Map<String, Object> saslPlain(String connectionStringOrToken) {
    String escaped = connectionStringOrToken.replace("\\", "\\\\").replace("\"", "\\\"");
    return Map.of(
        "security.protocol",
        "SASL_PLAINTEXT",
        "sasl.mechanism",
        "PLAIN",
        "sasl.jaas.config",
        "org.apache.kafka.common.security.plain.PlainLoginModule required"
            + " username=\"$ConnectionString\" password=\""
            + escaped
            + "\";");
  }

  /** Replaces the security settings {@link #admin} connects with (for example to add TLS). */
  public void clientSecurity(Map<String, Object> settings) {
    this.clientSecurity = Map.copyOf(settings);
  }

  public String zkConnect() {
    return zk.connectString();
  }

  public ClusterController controller() {
    return controller;
  }

  /**
   * Stops the ZooKeeper server as a crash of its host would: its clients (brokers, the controller)
   * lose their connection and keep trying to get it back.
   */
  public void stopZooKeeper() {
    zk.close();
  }

  /** The SAS rules of a cluster started with SAS, sealed with its key as the control plane does. */
  public io.flod.broker.cluster.ZkSasRules sasRules() {
    return controller.sasRules(rulesSeal);
  }

  public BrokerProcess broker(int id) {
    return brokers.get(id);
  }

  public Path dataDir(int id) {
    return dir.resolve("broker-" + id);
  }

  public BrokerProcess startBroker(int id) throws Exception {
    return startBroker(id, "zone-" + id);
  }

  /** Starts (or restarts, on the same data directory) broker {@code id} in {@code zone}. */
  public BrokerProcess startBroker(int id, String zone) throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--zk",
                zk.connectString(),
                "--cluster",
                name,
                "--node-id",
                Integer.toString(id),
                "--zone",
                zone));
    for (String config : brokerConfigs) {
      args.add("-c");
      args.add(config);
    }
    BrokerProcess broker = BrokerProcess.startClustered(dataDir(id), args.toArray(String[]::new));
    brokers.put(id, broker);
    return broker;
  }

  /** Bootstrap servers of the brokers that are running (except {@code excluded} ones). */
  public String bootstrap(int... excluded) {
    return brokers.entrySet().stream()
        .filter(e -> e.getValue().isAlive())
        .filter(e -> java.util.Arrays.stream(excluded).noneMatch(x -> x == e.getKey()))
        .map(e -> e.getValue().bootstrapServers())
        .collect(Collectors.joining(","));
  }

  public Admin admin(int... excluded) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(excluded));
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000);
    props.putAll(clientSecurity);
    return Admin.create(props);
  }

  /**
   * Partition {@code p} as the brokers' metadata describes it (asking all but {@code excluded}).
   */
  public TopicPartitionInfo describe(String topic, int p, int... excluded) throws Exception {
    try (Admin admin = admin(excluded)) {
      TopicDescription description =
          admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
      return description.partitions().get(p);
    }
  }

  /**
   * SIGKILLs the broker leading partition {@code p} of {@code topic} and waits until another broker
   * leads it; returns the killed broker's id.
   */
  public int killLeaderAndAwaitAnother(String topic, int p) throws Exception {
    int leader = describe(topic, p).leader().id();
    broker(leader).kill();
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .until(
            () -> {
              TopicPartitionInfo info = describe(topic, p);
              return info.leader() != null && info.leader().id() != leader;
            });
    return leader;
  }

  /** Creates a topic and waits until every partition has a leader and a full ISR. */
  public void createTopic(String topic, int partitions, int replicas, Map<String, String> configs)
      throws Exception {
    try (Admin admin = admin()) {
      admin
          .createTopics(List.of(new NewTopic(topic, partitions, (short) replicas).configs(configs)))
          .all()
          .get();
    }
    for (int p = 0; p < partitions; p++) {
      int partition = p;
      await()
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions() // a broker learns of a new topic within a second
          .until(
              () -> {
                TopicPartitionInfo info = describe(topic, partition);
                return info.leader() != null && info.isr().size() == replicas;
              });
    }
  }

  @Override
  public void close() throws Exception {
    for (BrokerProcess broker : brokers.values()) {
      broker.close();
    }
    controller.close();
    zk.close();
  }
}
