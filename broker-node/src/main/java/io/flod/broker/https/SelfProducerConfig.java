package io.flod.broker.https;

import io.flod.broker.auth.BrokerClientSecurity;
import io.flod.broker.quota.ThroughputQuota;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The settings of the HTTPS head's producer: the broker's own Kafka listener, as the broker itself
 * ({@link BrokerClientSecurity}).
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
    config.putAll(BrokerClientSecurity.settings(certificateFile, brokerSecret));
    return config;
  }
}
