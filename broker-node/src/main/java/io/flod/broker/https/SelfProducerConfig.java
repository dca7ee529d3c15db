package io.flod.broker.https;

import io.flod.broker.auth.SasAuthenticator;
import io.flod.broker.quota.ThroughputQuota;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The settings of the HTTPS head's producer: the broker's own Kafka listener, as the broker itself
 * (the cluster's secret when SASL is on), trusting exactly the broker's own certificate when the
 * listener has TLS.
 */
public final class SelfProducerConfig {
  private SelfProducerConfig() {}

  /**
   * @param certificateFile the listener's certificate (PEM), or null for a listener in clear
   * @param brokerSecret the cluster's secret, or null for a listener without SASL
   */
  public static Map<String, Object> of(
      InetSocketAddress listener, String certificateFile, String brokerSecret, int maxBodyBytes) {
    String host =
        listener.getAddress() == null || listener.getAddress().isAnyLocalAddress()
            ? "127.0.0.1"
            : listener.getAddress().getHostAddress();
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, host + ":" + listener.getPort());
    config.put(ProducerConfig.CLIENT_ID_CONFIG, ThroughputQuota.HTTPS_HEAD_CLIENT_ID);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.LINGER_MS_CONFIG, 1);
    // One HTTPS request's events may all go to one partition: let them fit in one request.
    config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 * maxBodyBytes + 64 * 1024);
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
    config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
    boolean tls = certificateFile != null;
    boolean sasl = brokerSecret != null;
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
      // The certificate names the broker's public host; this producer dials loopback and trusts
      // that one certificate only, so the name check adds nothing.
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
