package io.flod.provisioner.local;

import com.google.common.collect.ImmutableList;
import io.flod.provisioner.BootSettings;
import io.flod.provisioner.NodeSize;
import io.flod.provisioner.jclouds.UserDataOptions;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jclouds.compute.JCloudsNativeComputeServiceAdapter;
import org.jclouds.compute.domain.Hardware;
import org.jclouds.compute.domain.HardwareBuilder;
import org.jclouds.compute.domain.Image;
import org.jclouds.compute.domain.ImageBuilder;
import org.jclouds.compute.domain.NodeMetadata;
import org.jclouds.compute.domain.NodeMetadataBuilder;
import org.jclouds.compute.domain.OperatingSystem;
import org.jclouds.compute.domain.OsFamily;
import org.jclouds.compute.domain.Processor;
import org.jclouds.compute.domain.Template;
import org.jclouds.domain.Location;
import org.jclouds.domain.LocationBuilder;
import org.jclouds.domain.LocationScope;
import org.jclouds.domain.LoginCredentials;

/**
 * jclouds' view of {@link LocalMachines}: a machine is created from the same template and user data
 * a cloud machine gets (the agent's boot settings are read out of the user data), listed, stopped
 * ("suspended"), started again ("resumed") and destroyed. There is one image (this host's JDK) and
 * one location; zones are labels here, carried in the node's metadata.
 */
public final class LocalComputeServiceAdapter implements JCloudsNativeComputeServiceAdapter {
  public static final String IMAGE_ID = "flod-local-host";
  private static final Location REGION =
      new LocationBuilder()
          .scope(LocationScope.REGION)
          .id("local")
          .description("this host")
          .build();
  private static final OperatingSystem HOST_OS =
      OperatingSystem.builder()
          .family(OsFamily.LINUX)
          .description("this host")
          .is64Bit(true)
          .build();

  private final LocalMachines machines;

  @Inject
  public LocalComputeServiceAdapter(LocalMachines machines) {
    this.machines = machines;
  }

  @Override
  public NodeWithInitialCredentials createNodeWithGroupEncodedIntoName(
      String group, String name, Template template) {
    Map<String, String> metadata = new HashMap<>(template.getOptions().getUserMetadata());
    String userData = metadata.remove(UserDataOptions.METADATA_KEY);
    if (userData == null) {
      throw new IllegalArgumentException("a local machine needs user data with its boot settings");
    }
    BootSettings boot = BootSettings.parse(userData);
    LocalMachines.Description machine =
        machines.create(
            name,
            group,
            metadata.getOrDefault("flod-zone", "local"),
            template.getHardware().getId(),
            metadata,
            template.getOptions().getTags(),
            boot);
    return new NodeWithInitialCredentials(node(machine));
  }

  private NodeMetadata node(LocalMachines.Description machine) {
    return new NodeMetadataBuilder()
        .ids(machine.id())
        .name(machine.id())
        .group(machine.group())
        .hostname(machines.host())
        .location(REGION)
        .hardware(hardware(machine.hardwareId()))
        .imageId(IMAGE_ID)
        .operatingSystem(HOST_OS)
        .status(
            machines.running(machine) ? NodeMetadata.Status.RUNNING : NodeMetadata.Status.SUSPENDED)
        .userMetadata(machine.userMetadata())
        .tags(machine.tags())
        .privateAddresses(Set.of(machines.host()))
        .publicAddresses(Set.of())
        .credentials(LoginCredentials.builder().user("flod").noPassword().build())
        .build();
  }

  @Override
  public Iterable<NodeMetadata> listNodes() {
    return machines.all().stream().map(this::node).toList();
  }

  @Override
  public Iterable<NodeMetadata> listNodesByIds(Iterable<String> ids) {
    Set<String> wanted = new java.util.HashSet<>();
    ids.forEach(wanted::add);
    return machines.all().stream().filter(m -> wanted.contains(m.id())).map(this::node).toList();
  }

  @Override
  public NodeMetadata getNode(String id) {
    return machines.get(id).map(this::node).orElse(null);
  }

  @Override
  public void destroyNode(String id) {
    machines.destroy(id);
  }

  @Override
  public void rebootNode(String id) {
    machines
        .get(id)
        .ifPresent(
            m -> {
              machines.stop(m);
              machines.start(m);
            });
  }

  @Override
  public void resumeNode(String id) {
    machines.get(id).ifPresent(machines::start);
  }

  @Override
  public void suspendNode(String id) {
    machines.get(id).ifPresent(machines::stop);
  }

  @Override
  public Iterable<Image> listImages() {
    return List.of(
        new ImageBuilder()
            .ids(IMAGE_ID)
            .name("this host's JDK")
            .operatingSystem(HOST_OS)
            .status(Image.Status.AVAILABLE)
            .description("node agents run with the control plane's own Java")
            .build());
  }

  @Override
  public Image getImage(String id) {
    return IMAGE_ID.equals(id) ? listImages().iterator().next() : null;
  }

  @Override
  public Iterable<Hardware> listHardwareProfiles() {
    ImmutableList.Builder<Hardware> sizes = ImmutableList.builder();
    for (NodeSize size : NodeSize.values()) {
      sizes.add(hardware(size.apiName()));
    }
    return sizes.build();
  }

  private static Hardware hardware(String id) {
    NodeSize size = NodeSize.of(id);
    return new HardwareBuilder()
        .ids(size.apiName())
        .name(size.apiName())
        .ram(size.ramMb())
        .processors(List.of(new Processor(size.cores(), 1.0)))
        .build();
  }

  @Override
  public Iterable<Location> listLocations() {
    return List.of(REGION);
  }
}
