package io.flod.provisioner.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.AbstractModule;
import io.flod.provisioner.BootSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jclouds.ContextBuilder;
import org.jclouds.compute.ComputeServiceContext;
import org.jclouds.logging.slf4j.config.SLF4JLoggingModule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The machines of the local provider: each is a directory under {@code root} (its description, the
 * agent's log and pid, and the agent's data directory) and a node-agent process started with the
 * machine's own free broker port. The directory is the machine's existence, so a restarted control
 * plane finds its machines again; a machine whose agent is not running (the host was stopped, or
 * the agent was killed) reads as stopped, and starting it runs the agent again.
 *
 * <p>Ports come from one {@link PortAllocator} per provider, which never hands a port to two
 * machines; the port in a machine's description is the one its broker tries first (it falls back to
 * a free one when another process took it, and its agent reports the port bound).
 */
public final class LocalMachines {
  private static final Logger log = LoggerFactory.getLogger(LocalMachines.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String DESCRIPTION = "machine.json";
  static final String AGENT_PID = "agent.pid";
  private static final String AGENT_STARTED = "agent.started"; // see startedProcess

  /** More than the agent's own stop takes: its broker's 10 s to SIGKILL, then its own close. */
  private static final long AGENT_GRACE_SECONDS = 20;

  /** A broker left by a dead agent: it stops in seconds, also without ZooKeeper. */
  private static final long BROKER_GRACE_SECONDS = 15;

  /**
   * @param agentCommand how to start a node agent (java, its options and classpath, the main class
   *     and the {@code agent} subcommand); the machine's options are appended
   */
  public record Settings(Path root, List<String> agentCommand, String host) {}

  /** A machine's description, as written to its directory. */
  public record Description(
      String id,
      String group,
      String zone,
      String hardwareId,
      Map<String, String> userMetadata,
      Set<String> tags,
      int brokerPort,
      int httpPort,
      String controlPlaneUrl,
      String token) {}

  private final Settings settings;
  private final Map<String, Object> machineLocks = new ConcurrentHashMap<>();
  private final PortAllocator ports = new PortAllocator();

  public LocalMachines(Settings settings) {
    this.settings = settings;
    try {
      Files.createDirectories(settings.root());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (Description machine : all()) { // machines made before this provider started keep theirs
      ports.reserve(machine.brokerPort());
      ports.reserve(machine.httpPort());
    }
  }

  /** A jclouds compute context over these machines. */
  public static ComputeServiceContext context(LocalMachines machines) {
    return ContextBuilder.newBuilder(new LocalApiMetadata())
        .modules(
            Set.of(
                new SLF4JLoggingModule(),
                new AbstractModule() {
                  @Override
                  protected void configure() {
                    bind(LocalMachines.class).toInstance(machines);
                  }
                }))
        .buildView(ComputeServiceContext.class);
  }

  public String host() {
    return settings.host();
  }

  /** Makes the machine's directory and starts its agent. */
  synchronized Description create(
      String id,
      String group,
      String zone,
      String hardwareId,
      Map<String, String> userMetadata,
      Set<String> tags,
      BootSettings boot) {
    Path dir = dir(id);
    // A directory whose description cannot be read is a creation cut short by a crash (its agent
    // starts only after the description is in place): it is made again.
    if (read(dir).isPresent()) {
      throw new IllegalStateException("machine " + id + " exists already");
    }
    Description machine =
        new Description(
            id,
            group,
            zone,
            hardwareId,
            Map.copyOf(userMetadata),
            Set.copyOf(tags),
            ports.next(),
            ports.next(),
            boot.controlPlaneUrl(),
            boot.token());
    try {
      Files.createDirectories(dir.resolve("data"));
      // Written whole or not at all (a crash mid-write must not leave a half description).
      Path written = dir.resolve(DESCRIPTION + ".tmp");
      JSON.writeValue(written.toFile(), machine);
      // The bootstrap token is in there: only this user may read it.
      Files.setPosixFilePermissions(written, PosixFilePermissions.fromString("rw-------"));
      Files.move(
          written,
          dir.resolve(DESCRIPTION),
          java.nio.file.StandardCopyOption.ATOMIC_MOVE,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create machine " + id, e);
    }
    start(machine);
    return machine;
  }

  List<Description> all() {
    List<Description> machines = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(settings.root())) {
      for (Path dir : dirs.sorted().toList()) {
        read(dir).ifPresent(machines::add);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return machines;
  }

  Optional<Description> get(String id) {
    return read(dir(id));
  }

  private static Optional<Description> read(Path dir) {
    Path file = dir.resolve(DESCRIPTION);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.readValue(file.toFile(), Description.class));
    } catch (IOException e) {
      log.warn("machine directory {} has an unreadable description: {}", dir, e.toString());
      return Optional.empty();
    }
  }

  /** True when the machine's agent process runs. */
  boolean running(Description machine) {
    return agent(machine).isPresent();
  }

  /**
   * Starts the machine's agent unless it runs. Machines start and stop under a lock of their own,
   * so that stopping several (a Ctrl-C of {@code flod up} stops them all at once) takes as long as
   * the slowest one, not the sum.
   */
  void start(Description machine) {
    synchronized (lockOf(machine.id())) {
      startLocked(machine);
    }
  }

  private void startLocked(Description machine) {
    if (running(machine)) {
      return;
    }
    Path dir = dir(machine.id());
    List<String> command = new ArrayList<>(settings.agentCommand());
    command.addAll(
        List.of(
            "--control-plane",
            machine.controlPlaneUrl(),
            "--data-dir",
            dir.resolve("data").toString(),
            "--host",
            settings.host(),
            "--broker-port",
            Integer.toString(machine.brokerPort())));
    if (machine.httpPort() > 0) { // machines made before the HTTP head have none
      command.addAll(List.of("--http-port", Integer.toString(machine.httpPort())));
    }
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("agent.log").toFile()));
    builder.environment().put("FLOD_TOKEN", machine.token()); // not on the command line
    try {
      Process process = builder.start();
      Files.writeString(dir.resolve(AGENT_PID), Long.toString(process.pid()));
      Files.writeString(dir.resolve(AGENT_STARTED), startedAt(process.toHandle()));
      log.info(
          "local machine {} zone={} agent started, pid {} broker port {}",
          machine.id(),
          machine.zone(),
          process.pid(),
          machine.brokerPort());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the agent of machine " + machine.id(), e);
    }
  }

  /**
   * Stops the machine's agent (which stops its broker: SIGKILL 10 s after SIGTERM if need be), and
   * the broker if the agent is gone or had to be killed.
   */
  void stop(Description machine) {
    synchronized (lockOf(machine.id())) {
      Optional<ProcessHandle> broker = broker(machine);
      agent(machine).ifPresent(agent -> terminate(agent, AGENT_GRACE_SECONDS));
      broker.filter(ProcessHandle::isAlive).ifPresent(b -> terminate(b, BROKER_GRACE_SECONDS));
    }
  }

  private Object lockOf(String id) {
    return machineLocks.computeIfAbsent(id, key -> new Object());
  }

  /** Stops everything of the machine and removes its directory. */
  synchronized void destroy(String id) {
    Optional<Description> machine = get(id);
    machine.ifPresent(this::stop);
    Path dir = dir(id);
    if (Files.exists(dir)) {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot remove machine directory " + dir, e);
      }
      log.info("local machine {} destroyed: processes stopped, {} removed", id, dir);
    }
    machine.ifPresent(
        m -> {
          ports.release(m.brokerPort());
          ports.release(m.httpPort());
        });
  }

  /**
   * The machine's agent: as it recorded itself in its data directory (it does so once it holds the
   * directory's lock), else as this provider recorded it when starting it.
   */
  private Optional<ProcessHandle> agent(Description machine) {
    Optional<ProcessHandle> self = startedProcess(dir(machine.id()).resolve("data"), "agent");
    return self.isPresent() ? self : startedProcess(dir(machine.id()), "agent");
  }

  /**
   * The process {@code <name>.pid} names, if it runs and started when {@code <name>.started} says.
   */
  private static Optional<ProcessHandle> startedProcess(Path dir, String name) {
    try {
      Path started = dir.resolve(name + ".started");
      String when = Files.isRegularFile(started) ? Files.readString(started).trim() : "";
      return processFromPidFile(dir.resolve(name + ".pid")).filter(p -> startedAt(p).equals(when));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /**
   * The broker the agent ran, also when the agent is gone: the agent records its broker's pid and
   * start time as it records its own.
   */
  private Optional<ProcessHandle> broker(Description machine) {
    return startedProcess(dir(machine.id()).resolve("data"), "broker");
  }

  /**
   * The process a pid file names, if it runs. Pids get reused: the agent's start time is recorded
   * next to its pid and compared (a command line can be too long for the JDK to read back).
   */
  private static Optional<ProcessHandle> processFromPidFile(Path pidFile) {
    try {
      if (!Files.isRegularFile(pidFile)) {
        return Optional.empty();
      }
      long pid = Long.parseLong(Files.readString(pidFile).trim());
      return ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** How a process's start is recorded next to its pid (agent and broker alike). */
  public static String startedAt(ProcessHandle process) {
    return process.info().startInstant().map(Object::toString).orElse("unknown");
  }

  private static void terminate(ProcessHandle process, long graceSeconds) {
    if (frozen(process)) {
      // A stopped process (SIGSTOP, a hung machine) cannot act on SIGTERM: waiting is pointless.
      process.destroyForcibly();
      return;
    }
    process.destroy();
    try {
      process.onExit().get(graceSeconds, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("pid {} did not stop in {} s; killing it", process.pid(), graceSeconds);
      process.destroyForcibly();
      try {
        process.onExit().get(10, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // it is as dead as this host can make it
      }
    }
  }

  /** Whether Linux reports the process stopped ("T" in /proc/PID/stat); false where unknown. */
  private static boolean frozen(ProcessHandle process) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
      int afterName = stat.lastIndexOf(')');
      return afterName > 0 && stat.length() > afterName + 2 && stat.charAt(afterName + 2) == 'T';
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private Path dir(String id) {
    if (!id.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException("bad machine id " + id);
    }
    return settings.root().resolve(id);
  }
}
