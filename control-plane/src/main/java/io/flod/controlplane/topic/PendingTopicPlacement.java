package io.flod.controlplane.topic;

import io.flod.api.TopicView;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The placement used until the Helix-backed one exists: topics are recorded in the database only,
 * and each change is logged so an operator can see what brokers will be asked to do.
 */
public final class PendingTopicPlacement implements TopicPlacement {
  private static final Logger log = LoggerFactory.getLogger(PendingTopicPlacement.class);

  @Override
  public void apply(UUID clusterId, TopicView topic) {
    log.info(
        "cluster={} topic={} recorded ({} partitions); brokers get it once Helix placement exists",
        clusterId,
        topic.name(),
        topic.partitions());
  }

  @Override
  public void remove(UUID clusterId, String topic) {
    log.info("cluster={} topic={} removed from the record", clusterId, topic);
  }
}
