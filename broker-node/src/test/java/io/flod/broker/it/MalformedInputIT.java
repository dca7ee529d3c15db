package io.flod.broker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flod.broker.support.InProcessBroker;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Hostile or broken bytes close that one connection; the broker keeps serving everyone else. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MalformedInputIT {
  @TempDir static Path dataDir;
  private InProcessBroker broker;

  @BeforeAll
  void start() throws Exception {
    broker = InProcessBroker.start(dataDir, Map.of("socket.request.max.bytes", "1048576"));
    try (Admin admin = broker.admin()) {
      admin.createTopics(List.of(new NewTopic("still-working", 1, (short) 1))).all().get();
    }
  }

  @AfterAll
  void stop() {
    broker.close();
  }

  @AfterEach
  void brokerStillServesARealClient() throws Exception {
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(broker.producerProps())) {
      producer.send(new ProducerRecord<>("still-working", "k", "v")).get();
    }
    assertTrue(
        DurabilityIT.readAll(broker.bootstrapServers(), "still-working", 1, 1).size() >= 1,
        "a real client still produces and consumes");
  }

  @Test
  void randomGarbageFramesCloseTheConnection() throws Exception {
    Random random = new Random(42);
    for (int i = 0; i < 20; i++) {
      byte[] body = new byte[8 + random.nextInt(200)];
      random.nextBytes(body);
      try (Socket socket = connect()) {
        DataOutputStream out = new DataOutputStream(socket.getOutputStream());
        out.writeInt(body.length);
        out.write(body);
        out.flush();
        assertClosedOrAnswered(socket);
      }
    }
  }

  @Test
  void aFrameClaimingTwoGibibytesIsRefused() throws Exception {
    try (Socket socket = connect()) {
      DataOutputStream out = new DataOutputStream(socket.getOutputStream());
      out.writeInt(Integer.MAX_VALUE);
      out.write(new byte[64]);
      out.flush();
      assertClosed(socket);
    }
  }

  @Test
  void aNegativeFrameSizeIsRefused() throws Exception {
    try (Socket socket = connect()) {
      DataOutputStream out = new DataOutputStream(socket.getOutputStream());
      out.writeInt(-5);
      out.flush();
      assertClosed(socket);
    }
  }

  @Test
  void aTruncatedFrameIsDroppedWhenTheClientGoesAway() throws Exception {
    try (Socket socket = connect()) {
      DataOutputStream out = new DataOutputStream(socket.getOutputStream());
      out.writeInt(1000);
      out.write(new byte[10]);
      out.flush();
    }
  }

  @Test
  void anUnknownApiKeyClosesTheConnection() throws Exception {
    try (Socket socket = connect()) {
      send(socket, header((short) 999, (short) 0, 7));
      assertClosed(socket);
    }
  }

  @Test
  void aProduceWithATruncatedBodyClosesTheConnection() throws Exception {
    try (Socket socket = connect()) {
      ByteBuffer frame = ByteBuffer.allocate(64);
      frame.put(header(ApiKeys.PRODUCE.id, (short) 8, 9));
      frame.putShort((short) -1); // transactional id: null
      frame.putShort((short) 1); // acks
      frame.putInt(30_000); // timeout
      frame.putInt(5); // five topics follow... but the frame ends here
      frame.flip();
      send(socket, frame);
      assertClosed(socket);
    }
  }

  @Test
  void anApiVersionsRequestFromTheFutureGetsVersionZeroWithOurRanges() throws Exception {
    try (Socket socket = connect()) {
      ByteBuffer frame = ByteBuffer.allocate(64);
      frame.put(header(ApiKeys.API_VERSIONS.id, (short) 99, 11));
      frame.put((byte) 0); // tagged fields of a flexible header
      frame.flip();
      send(socket, frame);
      DataInputStream in = new DataInputStream(socket.getInputStream());
      int size = in.readInt();
      assertTrue(size > 8 && size < 10_000);
      assertEquals(11, in.readInt(), "correlation id");
      assertEquals(Errors.UNSUPPORTED_VERSION.code(), in.readShort());
      int apiCount = in.readInt();
      assertTrue(apiCount >= 10, "the ranges we serve come back: " + apiCount);
    }
  }

  private Socket connect() throws IOException {
    String[] hostPort = broker.bootstrapServers().split(":");
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])), 5_000);
    socket.setSoTimeout(10_000);
    return socket;
  }

  private static ByteBuffer header(short apiKey, short version, int correlationId) {
    ByteBuffer header = ByteBuffer.allocate(10);
    header.putShort(apiKey).putShort(version).putInt(correlationId).putShort((short) -1);
    header.flip();
    return header;
  }

  private static void send(Socket socket, ByteBuffer frame) throws IOException {
    DataOutputStream out = new DataOutputStream(socket.getOutputStream());
    out.writeInt(frame.remaining());
    out.write(frame.array(), frame.position(), frame.remaining());
    out.flush();
  }

  private static void assertClosed(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    try {
      assertEquals(-1, in.read(), "the broker closes the connection");
    } catch (SocketTimeoutException e) {
      throw new AssertionError("the broker left the connection open", e);
    } catch (IOException reset) {
      // A reset is a close too.
    }
  }

  /** Random bytes may happen to form a valid ApiVersions request; anything else must close. */
  private static void assertClosedOrAnswered(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    try {
      int first = in.read();
      if (first != -1) {
        in.readNBytes(3);
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError("the broker neither answered nor closed the connection", e);
    } catch (IOException reset) {
      // closed
    }
  }
}
