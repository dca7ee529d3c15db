package io.flod.broker.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flod.broker.auth.Right;
import io.flod.broker.auth.SasRule;
import io.flod.broker.auth.SasRuleBook;
import io.flod.broker.support.TestCluster;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an anonymous client can take of a SAS listener: a frame of at most {@code
 * sasl.server.max.receive.size} before it authenticated, at most {@code max.connections.per.ip}
 * sockets, and none for longer than {@code connections.max.idle.ms} without a byte. An
 * authenticated client's large frames and the broker's service to everyone else are unaffected.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ListenerLimitsIT {
  private static final int PER_ADDRESS = 40;
  private static final String ROOT =
      "Endpoint=sb://ns.acme.flod/;SharedAccessKeyName=root;SharedAccessKey=root-key-1";
  @TempDir static Path dir;
  private TestCluster cluster;
  private InetSocketAddress listener;

  @BeforeAll
  void start() throws Exception {
    cluster =
        TestCluster.startWithSas(
            dir,
            "limits-it",
            1,
            SasRuleBook.of(
                List.of(
                    new SasRule(
                        "root",
                        null,
                        Set.of(Right.SEND, Right.LISTEN, Right.MANAGE),
                        "root-key-1",
                        "root-key-2")),
                "broker-secret-for-tests"),
            ROOT,
            "max.connections.per.ip=" + PER_ADDRESS,
            "connections.max.idle.ms=3000",
            "message.max.bytes=2097152");
    cluster.createTopic("limits", 1, 1, Map.of());
    String[] hostPort = cluster.broker(1).bootstrapServers().split(":");
    listener = new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1]));
  }

  @AfterAll
  void stop() throws Exception {
    cluster.close();
  }

  @Test
  void aHundredMebibyteFrameBeforeAuthenticationIsCutAtItsSizePrefix() throws Exception {
    try (Socket socket = new Socket()) {
      socket.connect(listener, 5_000);
      DataOutputStream out = new DataOutputStream(socket.getOutputStream());
      out.writeInt(100 * 1024 * 1024);
      long written = 4;
      byte[] chunk = new byte[64 * 1024];
      try {
        // The broker closes on the prefix; what the socket buffers takes before the reset
        // arrives is far below the 100 MiB announced.
        while (written < 100L * 1024 * 1024) {
          out.write(chunk);
          written += chunk.length;
        }
      } catch (IOException expected) {
        // reset by the broker
      }
      assertTrue(written < 32L * 1024 * 1024, "the broker read on: " + written + " bytes taken");
      assertTrue(closedByBroker(socket), "the connection is closed");
    }
    // An authenticated client sends frames far over the pre-authentication limit.
    try (KafkaProducer<String, String> producer = producer()) {
      String big = "x".repeat(1024 * 1024);
      producer.send(new ProducerRecord<>("limits", "k", big)).get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void oneAddressHoldsAtMostItsShareOfSocketsAndIdleOnesAreClosed() throws Exception {
    List<Socket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < PER_ADDRESS * 3; i++) {
        Socket socket = new Socket();
        socket.connect(listener, 5_000);
        sockets.add(socket);
      }
      long closed = 0;
      for (Socket socket : sockets) {
        if (closedByBroker(socket)) {
          closed++;
        }
      }
      assertTrue(
          closed >= sockets.size() - PER_ADDRESS,
          closed + " of " + sockets.size() + " closed, at most " + PER_ADDRESS + " may stay open");
    } finally {
      for (Socket socket : sockets) {
        socket.close();
      }
    }
    // Closed sockets no longer count: a real client connects and produces.
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(
            () -> {
              try (KafkaProducer<String, String> producer = producer()) {
                producer.send(new ProducerRecord<>("limits", "k", "v")).get(10, TimeUnit.SECONDS);
              }
              return true;
            });

    try (Socket idle = new Socket()) {
      idle.connect(listener, 5_000);
      long start = System.nanoTime();
      idle.setSoTimeout(20_000);
      assertEquals(-1, idle.getInputStream().read(), "an idle connection is closed");
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
      assertTrue(seconds >= 2 && seconds < 15, "closed after " + seconds + " s idle");
    }
  }

  /** True when the broker closed the connection (end of stream or reset) within a second. */
  private static boolean closedByBroker(Socket socket) throws IOException {
    socket.setSoTimeout(1_000);
    try {
      InputStream in = socket.getInputStream();
      return in.read() == -1;
    } catch (SocketTimeoutException open) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }

  private KafkaProducer<String, String> producer() {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap());
    props.putAll(TestCluster.saslPlain(ROOT));
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 * 1024 * 1024);
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000);
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    return new KafkaProducer<>(props);
  }
}
