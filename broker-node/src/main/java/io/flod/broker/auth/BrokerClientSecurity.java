package io.flod.broker.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Kafka client settings for the cluster's own clients (the HTTPS head's producer, the control
 * plane's admin client): TLS trusting exactly the brokers' certificate when the listeners have it,
 * and SASL/PLAIN as {@value SasAuthenticator#BROKER_USER} with the cluster's secret when they
 * require a login.
 */
public final class BrokerClientSecurity {
  private BrokerClientSecurity() {}

  /**
   * @param certificateFile the brokers' certificate chain (PEM), or null for listeners in clear
   * @param brokerSecret the cluster's secret, or null for listeners without SASL
   */
  public static Map<String, Object> settings(String certificateFile, String brokerSecret) {
    boolean tls = certificateFile != null;
    boolean sasl = brokerSecret != null;
    Map<String, Object> config = new HashMap<>();
    config.put(
        "security.protocol",
        tls ? (sasl ? "SASL_SSL" : "SSL") : (sasl ? "SASL_PLAINTEXT" : "PLAINTEXT"));
    if (tls) {
      try {
        config.put("ssl.truststore.type", "PEM");
        config.put(
            "ssl.truststore.certificates",
            Files.readString(Path.of(certificateFile), StandardCharsets.US_ASCII));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + certificateFile, e);
      }
      // These clients dial brokers by address (often an IP or loopback) and trust that one
      // certificate only, so the name check adds nothing.
      config.put("ssl.endpoint.identification.algorithm", "");
    }
    if (sasl) {
      config.put("sasl.mechanism", "PLAIN");
      config.put(
          "sasl.jaas.config",
          "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
              + SasAuthenticator.BROKER_USER
              + "\" password=\""
              + brokerSecret
              + "\";");
    }
    return config;
  }
}
