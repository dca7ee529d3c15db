package io.flod.provisioner;

/**
 * The cloud-init user data of a Flod machine: install a JDK, fetch the node agent, write its
 * environment (control plane URL and bootstrap token, readable by root only) and run it under
 * systemd, which restarts it if it dies. Rendered as {@code #cloud-config}, which every image that
 * jclouds' aws-ec2, azurecompute-arm and google-compute-engine providers start understands.
 */
public final class CloudInit {
  private CloudInit() {}

  /**
   * @param agentDistributionUrl a tar.gz of Flod (bin/flod and its jars) the machine can download
   */
  public static String render(BootSettings boot, String agentDistributionUrl) {
    if (!agentDistributionUrl.matches("https?://[\\x21-\\x7e]+")) {
      throw new IllegalArgumentException("agent distribution URL must be http(s)");
    }
    return "#cloud-config\n"
        + "package_update: true\n"
        + "packages:\n"
        + "  - openjdk-17-jre-headless\n"
        + "  - curl\n"
        + "write_files:\n"
        + "  - path: /etc/flod/agent.env\n"
        + "    permissions: '0600'\n"
        + "    content: |\n"
        + indent(boot.envFile() + "FLOD_DATA_DIR=/var/lib/flod\n", "      ")
        + "  - path: /etc/systemd/system/flod-agent.service\n"
        + "    permissions: '0644'\n"
        + "    content: |\n"
        + indent(
            "[Unit]\n"
                + "Description=Flod node agent\n"
                + "After=network-online.target\n"
                + "[Service]\n"
                + "EnvironmentFile=/etc/flod/agent.env\n"
                + "ExecStart=/opt/flod/bin/flod agent --control-plane ${FLOD_CONTROL_PLANE}"
                + " --token ${FLOD_TOKEN} --data-dir ${FLOD_DATA_DIR}\n"
                + "Restart=always\n"
                + "RestartSec=5\n"
                + "LimitNOFILE=1048576\n"
                + "[Install]\n"
                + "WantedBy=multi-user.target\n",
            "      ")
        + "runcmd:\n"
        + "  - mkdir -p /opt/flod /var/lib/flod\n"
        + "  - curl -fsSL '"
        + agentDistributionUrl
        + "' | tar -xz -C /opt/flod --strip-components=1\n"
        + "  - systemctl daemon-reload\n"
        + "  - systemctl enable --now flod-agent\n";
  }

  private static String indent(String text, String prefix) {
    StringBuilder out = new StringBuilder();
    for (String line : text.split("\n")) {
      out.append(prefix).append(line).append('\n');
    }
    return out.toString();
  }
}
