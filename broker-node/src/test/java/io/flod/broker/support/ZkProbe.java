package io.flod.broker.support;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;

/** What the isolation tests ask of ZooKeeper: a whole tree, and whether a call is refused. */
public final class ZkProbe {
  private ZkProbe() {}

  /** A ZooKeeper call that may be refused. */
  @FunctionalInterface
  public interface ZkCall {
    void run() throws Exception;
  }

  /** Fails unless {@code call} is refused for want of rights (not for any other reason). */
  public static void refused(ZkCall call, String what) throws Exception {
    try {
      call.run();
      fail("allowed: " + what);
    } catch (KeeperException.NoAuthException expected) {
      // refused
    }
  }

  /** {@code path} and every node below it, as {@code zk} may list them. */
  public static List<String> tree(ZooKeeper zk, String path) throws Exception {
    List<String> out = new ArrayList<>(List.of(path));
    for (String child : zk.getChildren(path, false)) {
      out.addAll(tree(zk, path + "/" + child));
    }
    return out;
  }
}
