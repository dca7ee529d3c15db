package io.flod.broker.metadata;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.flod.broker.storage.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * The topics of a standalone broker, one JSON file per topic under {@code <data-dir>/meta/topics}
 * ({@code {"name", "topicId", "partitionCount", "replicationFactor", "configOverrides"}}), replaced
 * atomically on every change. Thread-safety: changes are serialised on this object; lookups read a
 * concurrent map.
 */
public final class LocalTopicRegistry implements TopicRegistry {
  private static final ObjectMapper JSON = new ObjectMapper();

  private record StoredTopic(
      String name,
      String topicId,
      int partitionCount,
      short replicationFactor,
      Map<String, String> configOverrides) {}

  private final Path dir;
  private final Map<String, TopicMetadata> topics = new ConcurrentHashMap<>();

  public LocalTopicRegistry(Path metaDir) {
    this.dir = metaDir.resolve("topics");
    try {
      Files.createDirectories(dir);
      try (Stream<Path> files = Files.list(dir)) {
        for (Path file : files.filter(f -> f.toString().endsWith(".json")).toList()) {
          StoredTopic stored = JSON.readValue(file.toFile(), StoredTopic.class);
          topics.put(
              stored.name(),
              new TopicMetadata(
                  stored.name(),
                  Uuid.fromString(stored.topicId()),
                  stored.partitionCount(),
                  stored.replicationFactor(),
                  stored.configOverrides()));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot load topics from " + dir, e);
    }
  }

  @Override
  public Optional<TopicMetadata> byName(String name) {
    return Optional.ofNullable(topics.get(name));
  }

  @Override
  public Optional<TopicMetadata> byId(Uuid topicId) {
    return topics.values().stream().filter(t -> t.topicId().equals(topicId)).findFirst();
  }

  @Override
  public Collection<TopicMetadata> all() {
    return List.copyOf(topics.values());
  }

  @Override
  public synchronized void create(TopicMetadata topic) {
    if (topics.containsKey(topic.name())) {
      throw new TopicExistsException("Topic '" + topic.name() + "' already exists.");
    }
    persist(topic);
    topics.put(topic.name(), topic);
  }

  @Override
  public synchronized void update(TopicMetadata topic) {
    if (!topics.containsKey(topic.name())) {
      throw new UnknownTopicOrPartitionException("Topic '" + topic.name() + "' does not exist.");
    }
    persist(topic);
    topics.put(topic.name(), topic);
  }

  @Override
  public synchronized void delete(String name) {
    try {
      Files.deleteIfExists(file(name));
      AtomicFiles.fsyncDirectory(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete topic file for " + name, e);
    }
    topics.remove(name);
  }

  private void persist(TopicMetadata topic) {
    try {
      StoredTopic stored =
          new StoredTopic(
              topic.name(),
              topic.topicId().toString(),
              topic.partitionCount(),
              topic.replicationFactor(),
              topic.configOverrides());
      AtomicFiles.write(file(topic.name()), JSON.writeValueAsBytes(stored));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write topic " + topic.name(), e);
    }
  }

  private Path file(String name) {
    // Legal topic names are [a-zA-Z0-9._-], so they are safe file names as they are.
    return dir.resolve(name + ".json");
  }
}
