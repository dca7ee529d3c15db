package io.flod.broker.replication;

import io.flod.broker.cluster.ClusterPaths;
import org.apache.helix.NotificationContext;
import org.apache.helix.model.Message;
import org.apache.helix.participant.statemachine.StateModel;
import org.apache.helix.participant.statemachine.StateModelFactory;
import org.apache.helix.participant.statemachine.StateModelInfo;
import org.apache.helix.participant.statemachine.Transition;
import org.apache.kafka.common.TopicPartition;

/** Helix's LeaderStandby transitions for one partition replica, carried out by the manager. */
public final class ReplicaStateModelFactory extends StateModelFactory<StateModel> {
  private final ReplicaManager replicas;

  public ReplicaStateModelFactory(ReplicaManager replicas) {
    this.replicas = replicas;
  }

  @Override
  public StateModel createNewStateModel(String resourceName, String partitionName) {
    return new ReplicaStateModel(
        new TopicPartition(resourceName, ClusterPaths.partitionIndex(partitionName)), replicas);
  }

  @StateModelInfo(
      initialState = "OFFLINE",
      states = {"LEADER", "STANDBY", "OFFLINE", "DROPPED", "ERROR"})
  public static final class ReplicaStateModel extends StateModel {
    private final TopicPartition tp;
    private final ReplicaManager replicas;

    ReplicaStateModel(TopicPartition tp, ReplicaManager replicas) {
      this.tp = tp;
      this.replicas = replicas;
    }

    @Transition(from = "OFFLINE", to = "STANDBY")
    public void onBecomeStandbyFromOffline(Message message, NotificationContext context) {
      replicas.becomeFollower(tp);
    }

    @Transition(from = "STANDBY", to = "LEADER")
    public void onBecomeLeaderFromStandby(Message message, NotificationContext context) {
      replicas.becomeLeader(tp);
    }

    @Transition(from = "LEADER", to = "STANDBY")
    public void onBecomeStandbyFromLeader(Message message, NotificationContext context) {
      replicas.becomeFollower(tp);
    }

    @Transition(from = "STANDBY", to = "OFFLINE")
    public void onBecomeOfflineFromStandby(Message message, NotificationContext context) {
      replicas.becomeOffline(tp);
    }

    @Transition(from = "OFFLINE", to = "DROPPED")
    public void onBecomeDroppedFromOffline(Message message, NotificationContext context) {
      replicas.drop(tp);
    }

    @Transition(from = "ERROR", to = "OFFLINE")
    public void onBecomeOfflineFromError(Message message, NotificationContext context) {
      replicas.becomeOffline(tp);
    }

    @Override
    public void reset() {
      replicas.becomeOffline(tp);
    }
  }
}
