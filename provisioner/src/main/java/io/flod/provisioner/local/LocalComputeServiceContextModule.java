package io.flod.provisioner.local;

import org.jclouds.compute.config.JCloudsNativeComputeServiceAdapterContextModule;

/** Wires {@link LocalComputeServiceAdapter} into jclouds' compute service. */
public final class LocalComputeServiceContextModule
    extends JCloudsNativeComputeServiceAdapterContextModule {
  public LocalComputeServiceContextModule() {
    super(LocalComputeServiceAdapter.class);
  }
}
