package io.flod.controlplane.cli;

import io.flod.controlplane.ControlPlane;
import io.flod.controlplane.fleet.BrokerTls;
import io.flod.controlplane.machines.MachineProviders;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * {@code flod control-plane}: runs the control plane until SIGTERM or Ctrl-C. Every option may also
 * come from an environment variable: {@code --jdbc-url} from {@code FLOD_JDBC_URL}, and so on.
 */
@Command(
    name = "control-plane",
    mixinStandardHelpOptions = true,
    description = "Run the Flod control plane (REST API).",
    defaultValueProvider = ControlPlaneMain.EnvironmentDefaults.class)
public final class ControlPlaneMain implements Callable<Integer> {
  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      description = "Address to listen on (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(
      names = "--port",
      defaultValue = "8080",
      description = "Port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--data-dir",
      description =
          "Operator key, the owned database and ZooKeeper (default: ~/.flod/control-plane).")
  Path dataDir;

  @Option(
      names = "--jdbc-url",
      description = "An external PostgreSQL; without it the control plane runs its own.")
  String jdbcUrl;

  @Option(
      names = "--db-user",
      defaultValue = "flod",
      description = "Database user with --jdbc-url.")
  String dbUser;

  @Option(
      names = "--db-password-file",
      description = "File holding the database password, with --jdbc-url.")
  Path dbPasswordFile;

  @Option(
      names = "--zk",
      paramLabel = "CONNECT",
      description =
          "ZooKeeper for the clusters' Helix state; without it the control plane runs its own"
              + " under its data directory.")
  String zk;

  @Option(
      names = "--provider",
      defaultValue = "local",
      description =
          "Where machines come from: local (node-agent processes on this host, the default), none,"
              + " or a jclouds provider id (aws-ec2, azurecompute-arm, google-compute-engine).")
  String provider;

  @Option(names = "--provider-identity", description = "The cloud account's identity.")
  String providerIdentity;

  @Option(
      names = "--provider-credential-file",
      description = "File holding the cloud account's credential.")
  Path providerCredentialFile;

  @Option(
      names = "--public-url",
      description = "URL machines reach the control plane at (default: the listening address).")
  String publicUrl;

  @Option(
      names = "--machine-zk-connect",
      paramLabel = "CONNECT",
      description =
          "ZooKeeper address handed to brokers, when they reach it through a load balancer or"
              + " proxy (default: the one the control plane uses).")
  String machineZkConnect;

  @Option(
      names = "--broker-tls-cert",
      paramLabel = "FILE",
      description =
          "PEM certificate chain every broker serves TLS with (Kafka SSL/SASL_SSL, HTTPS"
              + " publishing); with --broker-tls-key. Default: brokers listen in clear.")
  Path brokerTlsCert;

  @Option(names = "--broker-tls-key", paramLabel = "FILE", description = "Its PEM private key.")
  Path brokerTlsKey;

  @Option(
      names = "--agent-distribution-url",
      description = "A tar.gz of Flod that cloud machines download and run the agent from.")
  String agentDistributionUrl;

  /** FLOD_<OPTION NAME> environment variables as option defaults (FLOD_JDBC_URL for --jdbc-url). */
  public static final class EnvironmentDefaults implements CommandLine.IDefaultValueProvider {
    @Override
    public String defaultValue(ArgSpec argSpec) {
      if (argSpec instanceof OptionSpec option) {
        String name = option.longestName().replaceFirst("^--", "");
        String value = System.getenv("FLOD_" + name.replace('-', '_').toUpperCase(Locale.ROOT));
        if (value != null) {
          return value;
        }
      }
      return argSpec.defaultValue();
    }
  }

  @Override
  public Integer call() throws Exception {
    Path data =
        dataDir != null
            ? dataDir
            : Path.of(System.getProperty("user.home"), ".flod", "control-plane");
    String password =
        dbPasswordFile == null
            ? ""
            : Files.readString(dbPasswordFile, StandardCharsets.UTF_8).trim();
    String credential =
        providerCredentialFile == null
            ? null
            : Files.readString(providerCredentialFile, StandardCharsets.UTF_8).trim();
    ControlPlane controlPlane =
        ControlPlane.builder()
            .host(host)
            .port(port)
            .dataDir(data)
            .database(new ControlPlane.DatabaseSettings(jdbcUrl, dbUser, password))
            .zkConnect(zk)
            .operatorKey(System.getenv("FLOD_OPERATOR_KEY"))
            .publicUrl(publicUrl)
            .machineZkConnect(machineZkConnect)
            .brokerTls(
                brokerTlsCert == null && brokerTlsKey == null
                    ? null
                    : new BrokerTls(brokerTlsCert, brokerTlsKey))
            .provisioner(url -> provisioner(data, url, credential))
            .start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  controlPlane.close();
                  stopped.countDown();
                },
                "flod-shutdown"));
    System.out.println("control plane listening on " + controlPlane.baseUri());
    System.out.println("zookeeper " + controlPlane.zookeeperConnectString());
    if (controlPlane.operatorKey().generated()) {
      System.out.println(
          "operator key (shown once; also in "
              + data.resolve("operator.key")
              + "): "
              + controlPlane.operatorKey().secret());
    }
    System.out.flush();
    stopped.await();
    return 0;
  }

  private io.flod.provisioner.Provisioner provisioner(Path data, String url, String credential) {
    return switch (provider) {
      case "local" -> MachineProviders.local(data, url);
      case "none" -> MachineProviders.none();
      default -> {
        if (agentDistributionUrl == null) {
          throw new CommandLine.ParameterException(
              new CommandLine(this),
              "--agent-distribution-url is needed with a cloud provider: machines download Flod from it");
        }
        yield MachineProviders.cloud(
            provider, providerIdentity, credential, url, agentDistributionUrl);
      }
    };
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new ControlPlaneMain()).execute(args));
  }
}
