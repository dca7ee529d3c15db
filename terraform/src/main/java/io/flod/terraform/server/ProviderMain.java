package io.flod.terraform.server;

import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The provider process as Terraform starts it: checks go-plugin's magic cookie, serves protocol 6
 * over gRPC (TLS with a fresh certificate when Terraform offers its client certificate), and prints
 * the handshake line once the server listens. Stdout carries that line and nothing else.
 */
public final class ProviderMain {
  static final String COOKIE_KEY = "TF_PLUGIN_MAGIC_COOKIE";
  static final String COOKIE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

  private ProviderMain() {}

  public static void main(String[] args) throws Exception {
    // Only the handshake may reach stdout: everything else printed goes to stderr.
    PrintStream handshakeOut =
        new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    System.setOut(System.err);
    Map<String, String> env = System.getenv();
    if (!COOKIE.equals(env.get(COOKIE_KEY))) {
      System.err.println(
          "This is the Flod provider for Terraform. It is started by terraform itself, not by"
              + " hand: install it as the README says and run terraform init / plan / apply.");
      System.exit(1);
    }
    String versions = env.getOrDefault("PLUGIN_PROTOCOL_VERSIONS", "6");
    if (!java.util.Arrays.asList(versions.split(",")).contains("6")) {
      System.err.println(
          "Terraform offers plugin protocol " + versions + "; this provider speaks 6.");
      System.exit(1);
    }
    ignoreSigint();

    String clientCert = env.get("PLUGIN_CLIENT_CERT");
    PluginTls tls = clientCert == null || clientCert.isBlank() ? null : PluginTls.generate();
    ProviderService provider = new ProviderService(env);
    Server[] server = new Server[1];
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .maxInboundMessageSize(256 * 1024 * 1024)
            .addService(provider)
            .addService(new GoPluginServices.Controller(() -> stop(server[0])))
            .addService(new GoPluginServices.Stdio())
            .addService(new GoPluginServices.Broker())
            .addService(new GoPluginServices.Health());
    if (tls != null) {
      builder.sslContext(tls.serverContext(clientCert));
    }
    server[0] = builder.build().start();
    int port = ((InetSocketAddress) server[0].getListenSockets().get(0)).getPort();
    String line = "1|6|tcp|127.0.0.1:" + port + "|grpc";
    if (tls != null) {
      line += "|" + tls.handshakeCertificate();
    }
    handshakeOut.println(line);
    handshakeOut.flush();
    watchParent(server[0]);
    server[0].awaitTermination();
    System.exit(0);
  }

  private static void stop(Server server) {
    Thread stopper =
        new Thread(
            () -> {
              server.shutdown();
              try {
                server.awaitTermination(1, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              Runtime.getRuntime().halt(0); // go-plugin kills us 2 s after Shutdown otherwise
            },
            "flod-provider-shutdown");
    stopper.start();
  }

  /** Ctrl-C reaches every process of the terminal's group; Terraform stops us via StopProvider. */
  @SuppressWarnings("restriction")
  private static void ignoreSigint() {
    try {
      sun.misc.Signal.handle(new sun.misc.Signal("INT"), sun.misc.SignalHandler.SIG_IGN);
    } catch (IllegalArgumentException unsupported) {
      // not on this platform
    }
  }

  /** Exits when Terraform has gone without shutting the plugin down (for example killed). */
  private static void watchParent(Server server) {
    ProcessHandle parent = ProcessHandle.current().parent().orElse(null);
    if (parent == null) {
      return;
    }
    ScheduledExecutorService watcher =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "flod-provider-parent-watch");
              t.setDaemon(true);
              return t;
            });
    watcher.scheduleWithFixedDelay(
        () -> {
          if (!parent.isAlive()) {
            stop(server);
          }
        },
        1,
        1,
        TimeUnit.SECONDS);
  }
}
