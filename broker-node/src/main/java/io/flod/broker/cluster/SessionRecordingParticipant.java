package io.flod.broker.cluster;

import java.io.IOException;
import java.nio.file.Path;
import org.apache.helix.InstanceType;
import org.apache.helix.manager.zk.ZKHelixManager;
import org.apache.helix.zookeeper.zkclient.IZkConnection;
import org.apache.helix.zookeeper.zkclient.ZkClient;
import org.apache.helix.zookeeper.zkclient.ZkConnection;
import org.apache.zookeeper.ZooKeeper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Helix participant that records each new ZooKeeper session in a {@link ZkSessionFile}. Helix
 * keeps its ZooKeeper client in a protected field and offers no other way to the session's
 * password, hence the subclass.
 */
final class SessionRecordingParticipant extends ZKHelixManager {
  private static final Logger log = LoggerFactory.getLogger(SessionRecordingParticipant.class);
  private final Path sessionFile;

  SessionRecordingParticipant(String cluster, String instance, String zk, Path sessionFile) {
    super(cluster, instance, InstanceType.PARTICIPANT, zk);
    this.sessionFile = sessionFile;
  }

  @Override
  public void handleNewSession(String sessionId) throws Exception {
    super.handleNewSession(sessionId);
    record();
  }

  /** Writes the current session to the file; a failure only costs the agent its fast path. */
  void record() {
    if (!(_zkclient instanceof ZkClient client)) {
      return;
    }
    IZkConnection connection = client.getConnection();
    if (!(connection instanceof ZkConnection zkConnection)) {
      return;
    }
    ZooKeeper zk = zkConnection.getZookeeper();
    if (zk == null || zk.getSessionId() == 0) {
      return;
    }
    try {
      ZkSessionFile.write(
          sessionFile, new ZkSessionFile.Session(zk.getSessionId(), zk.getSessionPasswd()));
    } catch (IOException e) {
      log.warn("cannot record the ZooKeeper session in {}: {}", sessionFile, e.toString());
    }
  }
}
