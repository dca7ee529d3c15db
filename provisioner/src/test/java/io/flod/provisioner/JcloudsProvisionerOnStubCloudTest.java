package io.flod.provisioner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flod.provisioner.jclouds.JcloudsProvisioner;
import io.flod.provisioner.jclouds.UserDataOptions;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jclouds.ContextBuilder;
import org.jclouds.compute.ComputeServiceContext;
import org.jclouds.compute.domain.NodeMetadata;
import org.jclouds.logging.slf4j.config.SLF4JLoggingModule;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The jclouds provisioner against jclouds' in-memory {@code stub} provider: no cloud can be reached
 * from here, so this is the real code path up to the cloud's API.
 */
class JcloudsProvisionerOnStubCloudTest {
  private ComputeServiceContext context;
  private JcloudsProvisioner provisioner;
  private final ClusterRef cluster =
      new ClusterRef("tenant-1", java.util.UUID.randomUUID().toString(), 7);

  @BeforeEach
  void start() {
    context =
        ContextBuilder.newBuilder("stub")
            .modules(Set.of(new SLF4JLoggingModule()))
            .buildView(ComputeServiceContext.class);
    provisioner =
        new JcloudsProvisioner(
            context,
            new JcloudsProvisioner.Settings(
                "https://cp.example.net",
                "https://dist.example.net/flod.tar.gz",
                true,
                Map.of(),
                null));
  }

  @AfterEach
  void stop() {
    provisioner.close();
  }

  @Test
  void createsTaggedNodesWithCloudInitUserDataAndFindsThemAgain() {
    provisioner.ensure(
        cluster,
        List.of(
            new NodeSpec("node-0", "small", "z1", "token-zero"),
            new NodeSpec("node-1", "small", "z2", "token-one")));

    List<Machine> machines = provisioner.describe(cluster.clusterId());
    assertEquals(2, machines.size());
    assertEquals(
        Set.of("node-0:z1", "node-1:z2"),
        Set.copyOf(machines.stream().map(m -> m.nodeId() + ":" + m.zone()).toList()));
    assertTrue(machines.stream().allMatch(m -> m.state() == Machine.State.RUNNING));

    NodeMetadata node0 =
        context.getComputeService().listNodesDetailsMatching(n -> true).stream()
            .map(NodeMetadata.class::cast)
            .filter(
                n ->
                    cluster
                        .clusterId()
                        .equals(n.getUserMetadata().get(JcloudsProvisioner.TAG_CLUSTER)))
            .filter(n -> "node-0".equals(n.getUserMetadata().get(JcloudsProvisioner.TAG_NODE)))
            .findFirst()
            .orElseThrow();
    assertEquals("tenant-1", node0.getUserMetadata().get(JcloudsProvisioner.TAG_TENANT));
    assertEquals(cluster.clusterId(), node0.getUserMetadata().get(JcloudsProvisioner.TAG_CLUSTER));
    assertTrue(node0.getTags().contains("flod"));
    assertEquals("flod-" + cluster.clusterId(), node0.getGroup());
    String userData = node0.getUserMetadata().get(UserDataOptions.METADATA_KEY);
    assertTrue(userData.startsWith("#cloud-config\n"), userData);
    assertTrue(userData.contains("- openjdk-17-jre-headless"), userData);
    assertTrue(userData.contains("FLOD_CONTROL_PLANE=https://cp.example.net"), userData);
    assertTrue(userData.contains("FLOD_TOKEN=token-zero"), userData);
    assertFalse(userData.contains("token-one"), "each machine carries only its own token");
    assertTrue(userData.contains("systemctl enable --now flod-agent"), userData);
    assertTrue(userData.contains("curl -fsSL 'https://dist.example.net/flod.tar.gz'"), userData);
    assertEquals(
        new BootSettings("https://cp.example.net", "token-zero"), BootSettings.parse(userData));

    // Idempotent: asking again for what exists creates nothing.
    provisioner.ensure(cluster, List.of(new NodeSpec("node-0", "small", "z1", "another")));
    assertEquals(2, provisioner.describe(cluster.clusterId()).size());

    provisioner.destroy(cluster, Set.of("node-1", "node-9"));
    assertEquals(
        List.of("node-0"),
        provisioner.describe(cluster.clusterId()).stream().map(Machine::nodeId).toList());
    provisioner.destroy(cluster, Set.of("node-1")); // gone already: not an error
    assertTrue(provisioner.describe("another-cluster").isEmpty());
  }

  @Test
  void aCallWithAnOlderFencingTokenThanTheMachinesIsRefusedAndChangesNothing() {
    provisioner.ensure(cluster, List.of(new NodeSpec("node-0", "small", "z1", "token")));
    ClusterRef stale = new ClusterRef(cluster.tenantId(), cluster.clusterId(), 6);

    FencedOutException refusedCreate =
        assertThrows(
            FencedOutException.class,
            () -> provisioner.ensure(stale, List.of(new NodeSpec("node-1", "small", "z1", "t"))));
    assertEquals(7, refusedCreate.newer());
    assertThrows(FencedOutException.class, () -> provisioner.destroy(stale, Set.of("node-0")));
    assertEquals(
        List.of("node-0"),
        provisioner.describe(cluster.clusterId()).stream().map(Machine::nodeId).toList());

    ClusterRef newer = new ClusterRef(cluster.tenantId(), cluster.clusterId(), 8);
    provisioner.ensure(newer, List.of(new NodeSpec("node-1", "small", "z1", "t")));
    assertThrows(FencedOutException.class, () -> provisioner.destroy(cluster, Set.of("node-0")));
    provisioner.destroy(newer, Set.of("node-0", "node-1"));
    assertTrue(provisioner.describe(cluster.clusterId()).isEmpty());
  }

  @Test
  void aFailedNodeIsReportedWhileTheOthersAreMade() {
    ProvisioningException failure =
        assertThrows(
            ProvisioningException.class,
            () ->
                provisioner.ensure(
                    cluster,
                    List.of(
                        new NodeSpec("node-0", "small", "z1", "token"),
                        new NodeSpec("node-1", "small", "z1", "bad\ntoken"))));
    assertEquals(Set.of("node-1"), failure.failures().keySet());
    assertEquals(
        List.of("node-0"),
        provisioner.describe(cluster.clusterId()).stream().map(Machine::nodeId).toList());
    assertInstanceOf(ProvisioningException.class, failure);
  }

  @Test
  void aZoneThatIsNoLocationIsAnErrorOnACloud() {
    JcloudsProvisioner strict =
        new JcloudsProvisioner(
            context,
            new JcloudsProvisioner.Settings(
                "https://cp.example.net",
                "https://dist.example.net/f.tar.gz",
                false,
                Map.of(),
                null));
    ProvisioningException failure =
        assertThrows(
            ProvisioningException.class,
            () -> strict.ensure(cluster, List.of(new NodeSpec("node-0", "small", "mars-1", "t"))));
    assertTrue(failure.getMessage().contains("mars-1"), failure.getMessage());
  }
}
