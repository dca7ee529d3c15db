package io.flod.controlplane.machines;

import io.flod.provisioner.Provisioner;
import io.flod.provisioner.UnavailableProvisioner;
import io.flod.provisioner.jclouds.JcloudsProvisioner;
import io.flod.provisioner.local.LocalComputeServiceAdapter;
import io.flod.provisioner.local.LocalMachines;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The machine providers the control plane can be started with. */
public final class MachineProviders {
  private static final String AGENT_MAIN = "io.flod.agent.NodeAgentMain";

  private MachineProviders() {}

  /**
   * The local provider: machines are node-agent processes on this host under {@code
   * <dataDir>/machines}, started with this JVM's Java and classpath (which holds the agent and the
   * broker).
   */
  public static Provisioner local(Path dataDir, String controlPlaneUrl) {
    List<String> agent = new ArrayList<>();
    agent.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    String options =
        System.getenv()
            .getOrDefault(
                "FLOD_AGENT_JAVA_OPTS",
                "-Xms16m -Xmx96m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k");
    for (String option : options.trim().split("\\s+")) {
      if (!option.isEmpty()) {
        agent.add(option);
      }
    }
    agent.addAll(List.of("-cp", System.getProperty("java.class.path"), AGENT_MAIN));
    LocalMachines machines =
        new LocalMachines(
            new LocalMachines.Settings(dataDir.resolve("machines"), agent, "127.0.0.1"));
    return new JcloudsProvisioner(
        LocalMachines.context(machines),
        new JcloudsProvisioner.Settings(
            controlPlaneUrl,
            controlPlaneUrl + "/flod.tar.gz", // not fetched: local machines share this install
            true,
            Map.of(),
            LocalComputeServiceAdapter.IMAGE_ID));
  }

  /**
   * A jclouds cloud provider (aws-ec2, azurecompute-arm, google-compute-engine, or stub), whose
   * machines download Flod from {@code agentDistributionUrl} and call {@code controlPlaneUrl}.
   */
  public static Provisioner cloud(
      String provider,
      String identity,
      String credential,
      String controlPlaneUrl,
      String agentDistributionUrl) {
    return JcloudsProvisioner.forCloud(
        provider, identity, credential, controlPlaneUrl, agentDistributionUrl);
  }

  /** No machines at all: clusters cannot be created (for a control plane over hand-run brokers). */
  public static Provisioner none() {
    return new UnavailableProvisioner();
  }
}
