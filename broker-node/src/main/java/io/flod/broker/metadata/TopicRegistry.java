package io.flod.broker.metadata;

import java.util.Collection;
import java.util.Optional;
import org.apache.kafka.common.Uuid;

/**
 * Where a broker keeps the topics of its cluster. A standalone broker keeps them on its own disk
 * ({@link LocalTopicRegistry}); in cluster mode they live in ZooKeeper with Helix.
 */
public interface TopicRegistry {
  Optional<TopicMetadata> byName(String name);

  Optional<TopicMetadata> byId(Uuid topicId);

  Collection<TopicMetadata> all();

  /**
   * @throws org.apache.kafka.common.errors.TopicExistsException the name is taken
   */
  void create(TopicMetadata topic);

  /** Replaces a topic's partition count or configs; the name and id stay. */
  void update(TopicMetadata topic);

  void delete(String name);

  /** Re-reads the topics from where they are kept, for a registry that caches them. */
  default void refresh() {}
}
