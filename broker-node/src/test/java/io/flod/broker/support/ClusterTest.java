package io.flod.broker.support;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base of the cluster-mode integration tests: each test starts a {@link TestCluster}, stopped here.
 */
public abstract class ClusterTest {
  @TempDir protected Path dir;
  protected TestCluster cluster;

  @AfterEach
  void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }
}
