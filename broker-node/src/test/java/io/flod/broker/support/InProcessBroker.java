package io.flod.broker.support;

import io.flod.broker.Broker;
import io.flod.broker.config.BrokerConfig;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/** A standalone broker in the test's JVM, on a free port, over a test-owned data directory. */
public final class InProcessBroker implements AutoCloseable {
  private final Path dataDir;
  private final Map<String, String> configs;
  private Broker broker;

  private InProcessBroker(Path dataDir, Map<String, String> configs) {
    this.dataDir = dataDir;
    this.configs = configs;
  }

  public static InProcessBroker start(Path dataDir) {
    return start(dataDir, Map.of());
  }

  public static InProcessBroker start(Path dataDir, Map<String, String> configs) {
    InProcessBroker broker = new InProcessBroker(dataDir, new HashMap<>(configs));
    broker.restart();
    return broker;
  }

  /** Starts (again) on the same data directory, on a new free port. */
  public void restart() {
    if (broker != null) {
      throw new IllegalStateException("stop the broker first");
    }
    try {
      broker =
          Broker.startStandalone(
              dataDir, new InetSocketAddress("127.0.0.1", 0), null, new BrokerConfig(configs));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public void stop() {
    if (broker != null) {
      broker.close();
      broker = null;
    }
  }

  public Broker broker() {
    return broker;
  }

  public String bootstrapServers() {
    return broker.bootstrapServers();
  }

  public Path dataDir() {
    return dataDir;
  }

  public Admin admin() {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    return Admin.create(props);
  }

  public Properties producerProps() {
    return producerProps(bootstrapServers());
  }

  public static Properties producerProps(String bootstrap) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
        "org.apache.kafka.common.serialization.StringSerializer");
    props.put(
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
        "org.apache.kafka.common.serialization.StringSerializer");
    return props;
  }

  public Properties consumerProps() {
    return consumerProps(bootstrapServers());
  }

  public static Properties consumerProps(String bootstrap) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
        "org.apache.kafka.common.serialization.StringDeserializer");
    props.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
        "org.apache.kafka.common.serialization.StringDeserializer");
    return props;
  }

  @Override
  public void close() {
    stop();
  }
}
