package io.flod.agent;

import io.flod.api.AgentAssignment;
import io.flod.api.AgentHeartbeat;
import io.flod.api.AgentInstruction;
import io.flod.api.AgentRegistration;
import io.flod.api.client.FlodClient;
import io.flod.broker.cli.ListenersFile;
import io.flod.broker.cluster.BoundedStep;
import io.flod.broker.cluster.ZkLogin;
import io.flod.broker.cluster.ZkSessionFile;
import io.flod.broker.config.BrokerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One machine's agent: registers, runs the broker under a {@link BrokerSupervisor}, tells the
 * cluster at once when the broker dies ({@link HelixInstanceSwitch}), heartbeats to the control
 * plane, and decommissions the broker when told to. Heartbeats failing (the control plane is away)
 * change nothing for the broker; they resume when it is back.
 */
public final class NodeAgent implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NodeAgent.class);

  /** How the agent was started. */
  public record Settings(
      String controlPlaneUrl,
      String token,
      Path dataDir,
      String host,
      int brokerPort,
      int httpPort,
      List<String> javaCommand,
      String brokerJavaOptions) {}

  private final Settings settings;
  private final FlodClient client;
  private final ScheduledExecutorService heartbeats =
      Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "flod-agent-heartbeat"));
  private final CountDownLatch finished = new CountDownLatch(1);
  private volatile BrokerSupervisor supervisor;
  private volatile HelixInstanceSwitch instance;
  private volatile boolean decommissioned;
  private volatile long lastHeartbeatFailureLogMs;

  public NodeAgent(Settings settings) {
    this.settings = settings;
    this.client =
        new FlodClient(java.net.URI.create(settings.controlPlaneUrl() + "/"), settings.token());
  }

  /** Registers, starts the broker and the heartbeats. Blocks until registered. */
  public void start() throws InterruptedException {
    try {
      Files.createDirectories(settings.dataDir().resolve("broker"));
    } catch (IOException e) {
      // Not fatal here: the agent registers anyway, and the broker's failure to start (with
      // this cause) reaches the cluster's status through the heartbeat.
      log.error("cannot create the broker's data directory: {}", e.toString());
    }
    AgentAssignment assignment =
        new AssignmentSource(client, settings.dataDir())
            .obtain(
                new AgentRegistration(
                    settings.host(), settings.brokerPort(), Math.max(0, settings.httpPort()), "1"));
    String zkUser = assignment.brokerSecrets().get("zookeeper.sasl.username");
    if (zkUser != null && assignment.brokerSecrets().get("zookeeper.sasl.password") != null) {
      // The cluster's own identity, for this agent's ZooKeeper clients (Helix's too).
      ZkLogin.useIdentity(zkUser, assignment.brokerSecrets().get("zookeeper.sasl.password"));
    }
    instance =
        new HelixInstanceSwitch(
            assignment.zkConnect(), assignment.helixCluster(), assignment.brokerId());
    HelixInstanceSwitch helix = instance;
    supervisor =
        new BrokerSupervisor(
            brokerCommand(assignment),
            brokerEnvironment(assignment),
            settings.dataDir().resolve("broker.pid"),
            settings.dataDir().resolve("broker.log"),
            settings.dataDir().resolve("broker"),
            new BrokerProbe(new InetSocketAddress(assignment.host(), assignment.brokerPort())),
            new Backoff(1_000, 60_000),
            new BrokerSupervisor.Listener() {
              @Override
              public void crashed(int exitCode) {
                log.warn(
                    "cluster={} node={} broker died (exit {}): disabling it in the cluster",
                    assignment.clusterId(),
                    assignment.nodeName(),
                    exitCode);
                helix.disable();
                helix.endSession(
                    settings.dataDir().resolve("broker/meta").resolve(ZkSessionFile.NAME));
              }

              @Override
              public void ready() {
                helix.enable();
                heartbeatNow(); // the ports it bound, at once: the control plane advertises them
              }

              @Override
              public void failed(int exitCode, String cause) {
                log.warn(
                    "cluster={} node={} broker exit {}: {}",
                    assignment.clusterId(),
                    assignment.nodeName(),
                    exitCode,
                    cause);
                heartbeatNow(); // why, at once: the cluster's status shows it
              }
            });
    supervisor.start();
    heartbeats.scheduleWithFixedDelay(
        this::heartbeat, 0, assignment.heartbeatIntervalMs(), TimeUnit.MILLISECONDS);
  }

  List<String> brokerCommand(AgentAssignment a) {
    List<String> command = new ArrayList<>(settings.javaCommand());
    for (String option : settings.brokerJavaOptions().trim().split("\\s+")) {
      if (!option.isEmpty()) {
        command.add(option);
      }
    }
    command.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            "io.flod.broker.cli.FlodBrokerMain",
            "broker",
            "--zk",
            a.zkConnect(),
            "--cluster",
            a.helixCluster(),
            "--node-id",
            Integer.toString(a.brokerId()),
            "--zone",
            a.zone(),
            "--update-domain",
            a.updateDomain(),
            "--listen",
            a.host() + ":" + a.brokerPort(),
            "--advertised-host",
            a.host(),
            "--data-dir",
            settings.dataDir().resolve("broker").toString()));
    // A port taken by another process (the provider handed it out earlier; an outgoing connection
    // took it since) is replaced by a free one; the heartbeat reports the ports bound.
    command.addAll(List.of("-c", BrokerConfig.LISTEN_PORT_FALLBACK + "=true"));
    java.util.Map<String, String> config = new java.util.LinkedHashMap<>(a.brokerConfig());
    try {
      config.putAll(BrokerTlsFiles.write(settings.dataDir(), a.brokerSecrets()));
    } catch (IOException e) {
      // Never a broker in clear where TLS was asked for: the agent stops here, and says why.
      throw new java.io.UncheckedIOException(
          "cannot write the broker's TLS certificate and key under " + settings.dataDir(), e);
    }
    config.forEach((k, v) -> command.addAll(List.of("-c", k + "=" + v)));
    return command;
  }

  /**
   * The broker's secrets as {@code FLOD_*} variables (the broker reads {@code FLOD_SAS_RULES_KEY}
   * as {@code sas.rules.key}): in its environment, which only its own user can read, not on its
   * command line, which every process can.
   */
  static java.util.Map<String, String> brokerEnvironment(AgentAssignment a) {
    java.util.Map<String, String> environment = new java.util.HashMap<>();
    a.brokerSecrets()
        .forEach(
            (name, value) -> {
              if (!BrokerTlsFiles.handles(name)) {
                environment.put(
                    "FLOD_" + name.replace('.', '_').toUpperCase(java.util.Locale.ROOT), value);
              }
            });
    return environment;
  }

  /** A heartbeat now, besides the regular ones: the broker's state or ports just changed. */
  private void heartbeatNow() {
    try {
      heartbeats.execute(this::heartbeat);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // the agent is closing
    }
  }

  private void heartbeat() {
    try {
      BrokerSupervisor s = supervisor;
      ListenersFile.Bound bound = s.bound();
      BrokerSupervisor.LastError lastError = s.lastError();
      AgentHeartbeat beat =
          new AgentHeartbeat(
              decommissioned ? "stopped" : s.state(),
              s.restarts(),
              diskUsed(),
              settings.dataDir().toFile().getUsableSpace(),
              decommissioned ? 0 : instance.partitionsLed(),
              decommissioned,
              bound == null ? 0 : bound.kafkaPort(),
              bound == null ? 0 : bound.httpPort(),
              lastError == null ? null : lastError.exitCode(),
              lastError == null ? null : lastError.cause());
      AgentInstruction instruction =
          client.post("/v1/agents/heartbeat", beat).as(AgentInstruction.class);
      if (AgentInstruction.DECOMMISSION.equals(instruction.action()) && !decommissioned) {
        log.info("decommissioning: every replica has moved away; stopping the broker cleanly");
        s.close();
        decommissioned = true;
        log.info("decommissioned: the broker is stopped; waiting for the machine to go");
      }
    } catch (RuntimeException e) {
      long now = System.currentTimeMillis();
      if (now - lastHeartbeatFailureLogMs > 30_000) {
        lastHeartbeatFailureLogMs = now;
        log.warn("heartbeat failed (the broker keeps running): {}", e.getMessage());
      }
    }
  }

  private long diskUsed() {
    try (Stream<Path> files = Files.walk(settings.dataDir())) {
      return files
          .filter(Files::isRegularFile)
          .mapToLong(
              p -> {
                try {
                  return Files.size(p);
                } catch (IOException e) {
                  return 0; // a segment deleted while walking
                }
              })
          .sum();
    } catch (IOException | UncheckedIOException e) {
      return -1;
    }
  }

  /** Blocks until {@link #close}. */
  public void awaitShutdown() throws InterruptedException {
    finished.await();
  }

  @Override
  public void close() {
    heartbeats.shutdownNow();
    if (supervisor != null) {
      supervisor.close();
    }
    if (instance != null) {
      // Its ZooKeeper client may wait for a server that is gone (or a disable() that is stuck
      // there holds its lock): the agent exits regardless.
      BoundedStep.run("closing the Helix instance switch", Duration.ofSeconds(2), instance::close);
    }
    finished.countDown();
  }
}
