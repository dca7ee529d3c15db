package io.flod.broker.cluster;

import org.apache.kafka.common.TopicPartition;

/**
 * Names shared by the brokers and the controller of one Flod cluster in ZooKeeper and Helix. Flod's
 * own records live in the Helix cluster's property store, under {@code /flod}.
 */
public final class ClusterPaths {
  public static final String STATE_MODEL = "LeaderStandby";
  public static final String LEADER = "LEADER";
  public static final String STANDBY = "STANDBY";
  public static final String TOPICS = "/flod/topics";
  public static final String PARTITIONS = "/flod/partitions";
  public static final String PRODUCER_IDS = "/flod/producer-ids";
  public static final String SAS_RULES = "/flod/sas-rules";
  public static final String SETTINGS = "/flod/settings";

  /** Per broker, the partitions it throttled in the last minutes (the throttling report). */
  public static final String THROTTLING = "/flod/throttling";

  /** Per moving partition, the bytes its added replicas still have to copy (by its leader). */
  public static final String MOVES = "/flod/moves";

  /** InstanceConfig field: the broker is being drained and must hold no replicas. */
  public static final String DRAINING_FIELD = "FLOD_DRAINING";

  public static final String HOST_FIELD = "FLOD_HOST";
  public static final String PORT_FIELD = "FLOD_PORT";

  /** InstanceConfig field: the incarnation of the broker's data directory (see PartitionState). */
  public static final String INCARNATION_FIELD = "FLOD_INCARNATION";

  private static final String INSTANCE_PREFIX = "broker_";

  private ClusterPaths() {}

  public static String instanceName(int nodeId) {
    return INSTANCE_PREFIX + nodeId;
  }

  /** The node id of a Flod broker instance, or -1 for any other Helix instance. */
  public static int nodeId(String instanceName) {
    if (!instanceName.startsWith(INSTANCE_PREFIX)) {
      return -1;
    }
    try {
      return Integer.parseInt(instanceName.substring(INSTANCE_PREFIX.length()));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Helix partition {@code t_p} of resource {@code t}. */
  public static String helixPartition(TopicPartition tp) {
    return tp.topic() + "_" + tp.partition();
  }

  public static int partitionIndex(String helixPartition) {
    return Integer.parseInt(helixPartition.substring(helixPartition.lastIndexOf('_') + 1));
  }

  public static String topicPath(String topic) {
    return TOPICS + "/" + topic;
  }

  public static String partitionsPath(String topic) {
    return PARTITIONS + "/" + topic;
  }

  public static String movePath(TopicPartition tp) {
    return MOVES + "/" + tp.topic() + "_" + tp.partition();
  }

  public static String partitionPath(TopicPartition tp) {
    return PARTITIONS + "/" + tp.topic() + "/" + tp.partition();
  }
}
