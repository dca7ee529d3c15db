package io.flod.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrokerTlsFilesTest {
  @TempDir Path dataDir;

  private static io.flod.api.AgentAssignment assignment(Map<String, String> secrets) {
    return new io.flod.api.AgentAssignment(
        "c", "h", "node-1", 1, "z1", "ud0", "zk:2181", "127.0.0.1", 9092, Map.of(), 1000, secrets);
  }

  @Test
  void theCertificateAndKeyAreWrittenOwnerOnlyAndTheBrokerPointedAtThem() throws Exception {
    Map<String, String> secrets =
        Map.of(
            "ssl.certificate.pem", "-----BEGIN CERTIFICATE-----\nAAA\n",
            "ssl.key.pem", "-----BEGIN PRIVATE KEY-----\nBBB\n",
            "sas.rules.key", "k");
    Map<String, String> settings = BrokerTlsFiles.write(dataDir, secrets);
    Path key = Path.of(settings.get("ssl.key.location"));
    Path certificate = Path.of(settings.get("ssl.certificate.location"));
    assertEquals(
        "-----BEGIN PRIVATE KEY-----\nBBB\n", Files.readString(key, StandardCharsets.US_ASCII));
    assertTrue(Files.readString(certificate).contains("AAA"));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
    assertEquals(
        "rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key.getParent())));

    // Written again (a new assignment): replaced, not appended.
    BrokerTlsFiles.write(
        dataDir, Map.of("ssl.certificate.pem", "new-cert", "ssl.key.pem", "new-key"));
    assertEquals("new-key", Files.readString(key));

    Map<String, String> environment = NodeAgent.brokerEnvironment(assignment(secrets));
    assertEquals(
        Map.of("FLOD_SAS_RULES_KEY", "k"), environment, "no key material in the environment");
  }

  @Test
  void withoutTlsMaterialNothingIsWritten() throws Exception {
    assertEquals(Map.of(), BrokerTlsFiles.write(dataDir, Map.of("sas.rules.key", "k")));
    assertFalse(Files.exists(dataDir.resolve("tls")));
  }
}
