package io.flod.broker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flod.broker.Broker;
import io.flod.broker.config.BrokerConfig;
import io.flod.broker.network.ListenerBinding;
import io.flod.broker.support.InProcessBroker;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker whose ports another process took before it started: with {@code listen.port.fallback}
 * (what node agents run with) it listens on free ports, advertises those (Metadata answers with the
 * bound port) and clients reach it there; without, it fails naming the address. Also the one-line
 * causes the broker prints when it cannot start, and the listeners file agents read.
 */
class TakenPortTest {
  @TempDir Path dir;

  @Test
  void aTakenPortFallsBackToAFreeOneThatIsAdvertisedAndReachable() throws Exception {
    try (ServerSocket kafkaThief = taken();
        ServerSocket httpThief = taken()) {
      Broker broker =
          Broker.startStandalone(
              dir,
              new InetSocketAddress("127.0.0.1", kafkaThief.getLocalPort()),
              null,
              new BrokerConfig(
                  Map.of(
                      BrokerConfig.LISTEN_PORT_FALLBACK,
                      "true",
                      BrokerConfig.HTTPS_PORT,
                      Integer.toString(httpThief.getLocalPort()))));
      try {
        int bound = broker.boundAddress().getPort();
        assertNotEquals(kafkaThief.getLocalPort(), bound);
        assertEquals("127.0.0.1:" + bound, broker.bootstrapServers(), "advertised == bound");
        assertTrue(broker.httpsPort() > 0 && broker.httpsPort() != httpThief.getLocalPort());

        try (Admin admin =
            Admin.create(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
          Collection<Node> nodes = admin.describeCluster().nodes().get(10, TimeUnit.SECONDS);
          assertEquals(List.of(bound), nodes.stream().map(Node::port).toList(), "Metadata");
          admin
              .createTopics(List.of(new NewTopic("t", 1, (short) 1)))
              .all()
              .get(10, TimeUnit.SECONDS);
        }
        try (var producer =
            new KafkaProducer<String, String>(
                InProcessBroker.producerProps(broker.bootstrapServers()))) {
          producer.send(new ProducerRecord<>("t", "k", "reached")).get(10, TimeUnit.SECONDS);
        }
        try (var consumer =
            new KafkaConsumer<String, String>(
                InProcessBroker.consumerProps(broker.bootstrapServers()))) {
          TopicPartition tp = new TopicPartition("t", 0);
          consumer.assign(Set.of(tp));
          consumer.seekToBeginning(Set.of(tp));
          ConsumerRecords<String, String> records = consumer.poll(Duration.ofSeconds(10));
          assertEquals("reached", records.iterator().next().value());
        }
      } finally {
        broker.close();
      }
    }
  }

  @Test
  void withoutFallbackATakenPortFailsNamingTheAddress() throws Exception {
    try (ServerSocket thief = taken()) {
      RuntimeException e =
          assertThrows(
              ListenerBinding.PortInUseException.class,
              () ->
                  Broker.startStandalone(
                      dir,
                      new InetSocketAddress("127.0.0.1", thief.getLocalPort()),
                      null,
                      new BrokerConfig(Map.of())));
      String expected =
          "cannot listen on 127.0.0.1:" + thief.getLocalPort() + " (Kafka): address already in use";
      assertEquals(expected, e.getMessage());
      assertEquals(
          StartupFailure.PREFIX + expected,
          StartupFailure.line(new IllegalStateException("wrapped", e)));
    }
  }

  @Test
  void startupFailuresNameTheFileAndWhy() {
    assertEquals(
        "permission denied: /data/broker/meta",
        StartupFailure.describe(
            new java.io.UncheckedIOException(new AccessDeniedException("/data/broker/meta"))));
    assertEquals(
        "exists and is not a directory: /data/broker/meta",
        StartupFailure.describe(new FileAlreadyExistsException("/data/broker/meta")));
    assertEquals(
        "IllegalArgumentException: bad",
        StartupFailure.describe(new IllegalArgumentException("bad")));
  }

  @Test
  void theListenersFileIsReadOnlyForTheProcessThatWroteIt() {
    ListenersFile.write(dir, new ListenersFile.Bound(42, "127.0.0.1", 40123, 40124));
    assertEquals(
        new ListenersFile.Bound(42, "127.0.0.1", 40123, 40124),
        ListenersFile.read(dir, 42).orElseThrow());
    assertTrue(ListenersFile.read(dir, 43).isEmpty(), "an earlier process's file");
    ListenersFile.write(dir, new ListenersFile.Bound(44, "h", 1, 0));
    assertEquals(0, ListenersFile.read(dir, 44).orElseThrow().httpPort());
  }

  private static ServerSocket taken() throws Exception {
    return new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
  }
}
