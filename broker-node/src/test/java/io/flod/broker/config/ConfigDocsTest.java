package io.flod.broker.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ConfigDocsTest {
  @Test
  void theCommittedReferenceMatchesTheDeclarations() throws Exception {
    Path doc = Path.of("..", "docs", "broker-config.md");
    assertEquals(
        ConfigDocs.render(),
        Files.readString(doc),
        "docs/broker-config.md is stale: run bin/flod broker --print-config-docs > docs/broker-config.md");
  }
}
