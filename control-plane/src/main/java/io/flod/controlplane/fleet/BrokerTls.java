package io.flod.controlplane.fleet;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The certificate the brokers of every cluster present (Kafka head as SSL/SASL_SSL, HTTPS head,
 * replication), as PEM files: the control plane hands the paths to each broker through its agent
 * and trusts the certificate for its own admin client. The files must be readable at these paths on
 * the brokers' machines (true of local machines; cloud machines would need them shipped).
 */
public record BrokerTls(Path certificate, Path key) {
  public BrokerTls {
    if (certificate == null
        || key == null
        || !Files.isReadable(certificate)
        || !Files.isReadable(key)) {
      throw new IllegalArgumentException(
          "broker TLS needs a readable certificate and key; got " + certificate + ", " + key);
    }
    certificate = certificate.toAbsolutePath();
    key = key.toAbsolutePath();
  }
}
