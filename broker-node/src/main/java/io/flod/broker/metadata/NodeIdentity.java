package io.flod.broker.metadata;

import io.flod.broker.storage.AtomicFiles;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.common.Uuid;

/**
 * The cluster id and node id of a data directory, kept in {@code meta/meta.properties}. A data
 * directory created for one cluster or node refuses to start as another, so a mistyped flag cannot
 * mix two clusters' logs.
 */
public record NodeIdentity(String clusterId, int nodeId) {

  public static NodeIdentity loadOrCreate(Path metaDir, int nodeId) {
    Path file = metaDir.resolve("meta.properties");
    try {
      Files.createDirectories(metaDir);
      Properties props = new Properties();
      if (Files.exists(file)) {
        props.load(new StringReader(Files.readString(file)));
        int stored = Integer.parseInt(props.getProperty("node.id"));
        if (stored != nodeId) {
          throw new IllegalStateException(
              "data directory belongs to node " + stored + ", not node " + nodeId + ": " + file);
        }
        return new NodeIdentity(props.getProperty("cluster.id"), stored);
      }
      String clusterId = Uuid.randomUuid().toString();
      props.setProperty("cluster.id", clusterId);
      props.setProperty("node.id", Integer.toString(nodeId));
      StringWriter out = new StringWriter();
      props.store(out, "Flod broker identity");
      AtomicFiles.write(file, out.toString().getBytes(StandardCharsets.UTF_8));
      return new NodeIdentity(clusterId, nodeId);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or write " + file, e);
    }
  }
}
