package io.flod.provisioner.local;

import java.net.URI;
import org.jclouds.apis.internal.BaseApiMetadata;
import org.jclouds.compute.ComputeServiceContext;

/**
 * jclouds' description of Flod's local provider ({@code flod-local}), built the way jclouds' own
 * in-memory stub provider is, so that local machines go through the same {@code ComputeService}
 * code path as cloud ones. Build a context with {@link LocalMachines#context}.
 */
public final class LocalApiMetadata extends BaseApiMetadata {
  public LocalApiMetadata() {
    this(new Builder());
  }

  private LocalApiMetadata(Builder builder) {
    super(builder);
  }

  @Override
  public Builder toBuilder() {
    return new Builder().fromApiMetadata(this);
  }

  /** The provider's fixed description. */
  public static final class Builder extends BaseApiMetadata.Builder<Builder> {
    Builder() {
      id("flod-local")
          .name("Flod local machines (node-agent processes on this host)")
          .identityName("unused")
          .defaultIdentity("local")
          .defaultCredential("local")
          .defaultEndpoint("local")
          .documentation(URI.create("https://github.com/flod/flod/tree/main/provisioner"))
          .view(ComputeServiceContext.class)
          .defaultModule(LocalComputeServiceContextModule.class);
    }

    @Override
    public LocalApiMetadata build() {
      return new LocalApiMetadata(this);
    }

    @Override
    protected Builder self() {
      return this;
    }
  }
}
