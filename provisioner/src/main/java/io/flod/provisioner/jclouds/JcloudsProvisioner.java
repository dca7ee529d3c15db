package io.flod.provisioner.jclouds;

import io.flod.provisioner.BootSettings;
import io.flod.provisioner.CloudInit;
import io.flod.provisioner.ClusterRef;
import io.flod.provisioner.FencedOutException;
import io.flod.provisioner.Machine;
import io.flod.provisioner.NodeSize;
import io.flod.provisioner.NodeSpec;
import io.flod.provisioner.Provisioner;
import io.flod.provisioner.ProvisioningException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import org.jclouds.compute.ComputeService;
import org.jclouds.compute.ComputeServiceContext;
import org.jclouds.compute.RunNodesException;
import org.jclouds.compute.domain.ComputeMetadata;
import org.jclouds.compute.domain.NodeMetadata;
import org.jclouds.compute.domain.Template;
import org.jclouds.compute.domain.TemplateBuilder;
import org.jclouds.compute.options.TemplateOptions;
import org.jclouds.domain.Location;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provisioner over any jclouds {@link ComputeService}: a cloud (aws-ec2, azurecompute-arm,
 * google-compute-engine) or Flod's local provider. Each node is one jclouds node in the cluster's
 * group, tagged with tenant, cluster and node ids (which is how it is found again after a restart),
 * and booted with cloud-init user data that starts the agent with its bootstrap token.
 *
 * <p>Nodes are created one per jclouds call, in parallel, so each gets its own token and one
 * failure does not undo the others: a {@link RunNodesException} destroys what that call left half
 * made, and the failures are reported together after the rest succeeded.
 */
public final class JcloudsProvisioner implements Provisioner {
  private static final Logger log = LoggerFactory.getLogger(JcloudsProvisioner.class);
  public static final String TAG_TENANT = "flod-tenant";
  public static final String TAG_CLUSTER = "flod-cluster";
  public static final String TAG_NODE = "flod-node";
  public static final String TAG_ZONE = "flod-zone";

  /** The fencing token of the pass that made the machine. */
  public static final String TAG_FENCE = "flod-fence";

  /**
   * How machines are made: where their agents find the control plane, where they download Flod, and
   * whether a zone that is not one of the provider's locations is only a label (the local provider:
   * every zone is this host) or an error (a cloud).
   */
  public record Settings(
      String controlPlaneUrl,
      String agentDistributionUrl,
      boolean zonesAreLabels,
      Map<String, String> hardwareIds,
      String imageId) {}

  private final ComputeServiceContext context;
  private final ComputeService compute;
  private final Settings settings;
  private final String providerName;
  private final ExecutorService creators =
      Executors.newFixedThreadPool(
          8,
          r -> {
            Thread t = new Thread(r, "flod-provision");
            t.setDaemon(true);
            return t;
          });

  /**
   * A jclouds cloud provider (aws-ec2, azurecompute-arm, google-compute-engine, or stub), whose
   * machines download Flod from {@code agentDistributionUrl} and call {@code controlPlaneUrl}.
   */
  public static JcloudsProvisioner forCloud(
      String provider,
      String identity,
      String credential,
      String controlPlaneUrl,
      String agentDistributionUrl) {
    ComputeServiceContext context =
        org.jclouds.ContextBuilder.newBuilder(provider)
            .credentials(identity, credential)
            .modules(Set.of(new org.jclouds.logging.slf4j.config.SLF4JLoggingModule()))
            .buildView(ComputeServiceContext.class);
    return new JcloudsProvisioner(
        context, new Settings(controlPlaneUrl, agentDistributionUrl, false, Map.of(), null));
  }

  public JcloudsProvisioner(ComputeServiceContext context, Settings settings) {
    this.context = context;
    this.compute = context.getComputeService();
    this.settings = settings;
    this.providerName = context.unwrap().getProviderMetadata().getId();
  }

  @Override
  public void ensure(ClusterRef cluster, List<NodeSpec> nodes) {
    Map<String, NodeMetadata> existing = nodesOf(cluster.clusterId());
    refuseIfFenced(cluster, existing.values());
    Map<String, String> failures = new ConcurrentHashMap<>();
    List<Future<?>> work = new ArrayList<>();
    for (NodeSpec node : nodes) {
      NodeMetadata machine = existing.get(node.nodeId());
      if (machine != null) {
        if (machine.getStatus() == NodeMetadata.Status.SUSPENDED) {
          work.add(creators.submit(() -> resume(cluster, node, machine, failures)));
        }
      } else if (node.bootstrapToken() == null) {
        failures.put(node.nodeId(), "gone, and no bootstrap token was given to create it again");
      } else {
        work.add(creators.submit(() -> create(cluster, node, failures)));
      }
    }
    for (Future<?> f : work) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while creating machines", e);
      } catch (ExecutionException e) {
        throw new IllegalStateException(e.getCause());
      }
    }
    if (!failures.isEmpty()) {
      throw new ProvisioningException(failures);
    }
  }

  private void resume(
      ClusterRef cluster, NodeSpec node, NodeMetadata machine, Map<String, String> failures) {
    try {
      compute.resumeNode(machine.getId());
      log.info(
          "provider={} cluster={} node={} machine {} started again",
          providerName,
          cluster.clusterId(),
          node.nodeId(),
          machine.getId());
    } catch (RuntimeException e) {
      failures.put(node.nodeId(), "could not start it again: " + e.getMessage());
    }
  }

  private void create(ClusterRef cluster, NodeSpec node, Map<String, String> failures) {
    try {
      Template template = template(cluster, node);
      Set<? extends NodeMetadata> made =
          compute.createNodesInGroup(group(cluster.clusterId()), 1, template);
      log.info(
          "provider={} tenant={} cluster={} node={} zone={} created machine {}",
          providerName,
          cluster.tenantId(),
          cluster.clusterId(),
          node.nodeId(),
          node.zone(),
          made.iterator().next().getId());
    } catch (RunNodesException e) {
      // Nodes the provider left behind in an error state would hold the node id: remove them so
      // the next pass creates it afresh.
      e.getNodeErrors().keySet().forEach(bad -> destroyQuietly(bad.getId()));
      e.getSuccessfulNodes().forEach(ok -> log.info("kept machine {}", ok.getId()));
      String reason =
          !e.getExecutionErrors().isEmpty()
              ? e.getExecutionErrors().values().iterator().next().toString()
              : e.getNodeErrors().values().iterator().next().toString();
      failures.put(node.nodeId(), reason);
      log.warn(
          "provider={} cluster={} node={} creation failed: {}",
          providerName,
          cluster.clusterId(),
          node.nodeId(),
          reason);
    } catch (RuntimeException e) {
      failures.put(node.nodeId(), String.valueOf(e.getMessage()));
      log.warn(
          "provider={} cluster={} node={} creation failed: {}",
          providerName,
          cluster.clusterId(),
          node.nodeId(),
          e.toString());
    }
  }

  private void destroyQuietly(String machineId) {
    try {
      compute.destroyNode(machineId);
    } catch (RuntimeException e) {
      log.warn("could not destroy half-made machine {}: {}", machineId, e.toString());
    }
  }

  /** The template of one node: its size, zone, image, tags and user data. */
  Template template(ClusterRef cluster, NodeSpec node) {
    NodeSize size = NodeSize.of(node.size());
    TemplateBuilder builder = compute.templateBuilder();
    String hardwareId = settings.hardwareIds().get(size.apiName());
    if (hardwareId != null) {
      builder.hardwareId(hardwareId);
    } else {
      builder.minCores(size.cores()).minRam(size.ramMb());
    }
    if (settings.imageId() != null) {
      builder.imageId(settings.imageId());
    }
    if (isLocation(node.zone())) {
      builder.locationId(node.zone());
    } else if (!settings.zonesAreLabels()) {
      throw new IllegalArgumentException(
          "zone '" + node.zone() + "' is not a location of provider " + providerName);
    }
    TemplateOptions options = compute.templateOptions();
    options
        .tags(List.of("flod"))
        .nodeNames(List.of(machineName(cluster.clusterId(), node.nodeId())))
        .userMetadata(TAG_TENANT, cluster.tenantId())
        .userMetadata(TAG_CLUSTER, cluster.clusterId())
        .userMetadata(TAG_NODE, node.nodeId())
        .userMetadata(TAG_ZONE, node.zone())
        .userMetadata(TAG_FENCE, Long.toString(cluster.fence()));
    String userData =
        CloudInit.render(
            new BootSettings(settings.controlPlaneUrl(), node.bootstrapToken()),
            settings.agentDistributionUrl());
    UserDataOptions.attach(options, userData);
    return builder.options(options).build();
  }

  private boolean isLocation(String zone) {
    return compute.listAssignableLocations().stream().map(Location::getId).anyMatch(zone::equals);
  }

  @Override
  public void destroy(ClusterRef cluster, Set<String> nodeIds) {
    String clusterId = cluster.clusterId();
    refuseIfFenced(cluster, nodesOf(clusterId).values());
    Predicate<NodeMetadata> ofThose =
        n ->
            clusterId.equals(n.getUserMetadata().get(TAG_CLUSTER))
                && nodeIds.contains(n.getUserMetadata().get(TAG_NODE));
    Set<? extends NodeMetadata> gone = compute.destroyNodesMatching(ofThose::test);
    gone.forEach(
        n ->
            log.info(
                "provider={} cluster={} node={} machine {} destroyed",
                providerName,
                clusterId,
                n.getUserMetadata().get(TAG_NODE),
                n.getId()));
  }

  /**
   * The cloud's own record of who acted last: every machine carries the token of the pass that made
   * it, so a call older than any of them comes from a pass that lost the cluster to a newer one.
   * Clouds have no compare-and-set on tags, so this narrows the window rather than closing it; the
   * control plane checks its tokens in the database before each call as well.
   */
  private void refuseIfFenced(ClusterRef cluster, java.util.Collection<NodeMetadata> machines) {
    long newest =
        machines.stream()
            .map(n -> n.getUserMetadata().get(TAG_FENCE))
            .filter(v -> v != null && v.matches("-?[0-9]{1,18}"))
            .mapToLong(Long::parseLong)
            .max()
            .orElse(Long.MIN_VALUE);
    if (newest > cluster.fence()) {
      log.warn(
          "provider={} cluster={} refused a call with fencing token {}: a machine was made by token {}",
          providerName,
          cluster.clusterId(),
          cluster.fence(),
          newest);
      throw new FencedOutException(cluster.clusterId(), cluster.fence(), newest);
    }
  }

  /**
   * Stops every Flod machine of this provider without destroying it (for the local provider: agents
   * and brokers stop, data stays); {@link #ensure} starts them again.
   */
  public void suspendAll() {
    compute.suspendNodesMatching(n -> n.getUserMetadata().containsKey(TAG_CLUSTER));
    log.info("provider={} every machine stopped", providerName);
  }

  @Override
  public List<Machine> describe(String clusterId) {
    List<Machine> machines = new ArrayList<>();
    for (NodeMetadata n : nodesOf(clusterId).values()) {
      Machine.State state =
          switch (n.getStatus()) {
            case RUNNING -> Machine.State.RUNNING;
            case PENDING -> Machine.State.PENDING;
            case SUSPENDED, ERROR, UNRECOGNIZED -> Machine.State.STOPPED;
            case TERMINATED -> null;
          };
      if (state != null) {
        String address =
            !n.getPrivateAddresses().isEmpty()
                ? n.getPrivateAddresses().iterator().next()
                : n.getPublicAddresses().stream().findFirst().orElse(null);
        machines.add(
            new Machine(
                n.getUserMetadata().get(TAG_NODE),
                n.getUserMetadata().get(TAG_ZONE),
                address,
                state));
      }
    }
    return machines;
  }

  /** The cluster's nodes by Flod node id, terminated ones left out. */
  private Map<String, NodeMetadata> nodesOf(String clusterId) {
    Map<String, NodeMetadata> byNode = new java.util.TreeMap<>();
    for (ComputeMetadata c : compute.listNodesDetailsMatching(n -> true)) {
      NodeMetadata n = (NodeMetadata) c;
      if (clusterId.equals(n.getUserMetadata().get(TAG_CLUSTER))
          && n.getStatus() != NodeMetadata.Status.TERMINATED) {
        byNode.put(n.getUserMetadata().get(TAG_NODE), n);
      }
    }
    return byNode;
  }

  static String group(String clusterId) {
    return "flod-" + clusterId;
  }

  static String machineName(String clusterId, String nodeId) {
    return "flod-" + clusterId.substring(0, Math.min(8, clusterId.length())) + "-" + nodeId;
  }

  @Override
  public void close() {
    creators.shutdownNow();
    context.close();
  }
}
