package io.flod.provisioner;

/**
 * A call carried a fencing token older than one already used on the cluster: another control-plane
 * pass took the cluster over since the caller's began, and the caller must stop acting on it.
 * Nothing was changed by the refused call.
 */
public final class FencedOutException extends RuntimeException {
  private final long token;
  private final long newer;

  public FencedOutException(String clusterId, long token, long newer) {
    super(
        "cluster "
            + clusterId
            + ": fencing token "
            + token
            + " is stale, a newer pass (token "
            + newer
            + ") has acted on it");
    this.token = token;
    this.newer = newer;
  }

  public long token() {
    return token;
  }

  public long newer() {
    return newer;
  }
}
