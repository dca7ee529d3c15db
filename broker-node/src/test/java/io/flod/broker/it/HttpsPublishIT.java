package io.flod.broker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flod.broker.auth.Right;
import io.flod.broker.auth.SasRule;
import io.flod.broker.auth.SasRuleBook;
import io.flod.broker.auth.SasToken;
import io.flod.broker.support.Kcat;
import io.flod.broker.support.TestCertificate;
import io.flod.broker.support.TestCluster;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Event Hubs' HTTPS publishing against two brokers with TLS and SAS (the Kafka head is SASL_SSL
 * with the same certificate): single events and batches read back by the unmodified Kafka consumer
 * with key, properties and timestamp; keys on the same partitions as Kafka's partitioner puts them;
 * 413, 401, 403, 404 and 429 as a client would meet them; publisher binding and revocation; and one
 * quota for both heads.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HttpsPublishIT {
  private static final String NS = "sb://ns.acme.flod/";
  private static final String BATCH = "application/vnd.microsoft.servicebus.json";
  @TempDir static Path dir;
  private TestCluster cluster;
  private TestCertificate certificate;
  private HttpClient http;
  private Map<String, Object> kafkaSecurity;

  private static SasRuleBook.Snapshot rules(Set<String> revokedPublishers) {
    return rules(revokedPublishers, "sender-1");
  }

  private static SasRuleBook.Snapshot rules(Set<String> revokedPublishers, String senderPrimary) {
    return SasRuleBook.of(
            List.of(
                new SasRule(
                    "root",
                    null,
                    Set.of(Right.SEND, Right.LISTEN, Right.MANAGE),
                    "root-1",
                    "root-2"),
                new SasRule("sender", null, Set.of(Right.SEND), senderPrimary, "sender-2"),
                new SasRule("reader", "orders", Set.of(Right.LISTEN), "reader-1", "reader-2")),
            "broker-secret-for-tests")
        .withRevokedPublishers(revokedPublishers);
  }

  @BeforeAll
  void start() throws Exception {
    certificate = TestCertificate.create(dir.resolve("tls"));
    List<String> configs = new ArrayList<>(List.of(certificate.brokerConfigs()));
    configs.addAll(
        List.of(
            "https.port=0",
            "throughput.units=1",
            "zookeeper.session.timeout.ms=4000",
            "offsets.topic.num.partitions=2"));
    String root = "Endpoint=" + NS + ";SharedAccessKeyName=root;SharedAccessKey=root-1";
    cluster =
        TestCluster.startWithSas(
            dir, "https-it", 2, rules(Set.of()), root, configs.toArray(String[]::new));
    kafkaSecurity = new HashMap<>(TestCluster.saslPlain(root));
    kafkaSecurity.put("security.protocol", "SASL_SSL");
    kafkaSecurity.putAll(certificate.kafkaTrust());
    cluster.clientSecurity(kafkaSecurity);
    // Full ISRs: the followers replicate over TLS, logged in with the broker secret.
    cluster.createTopic("orders", 3, 2, Map.of());
    cluster.createTopic("h1", 1, 2, Map.of());
    cluster.createTopic("h10", 1, 2, Map.of());
    http = HttpClient.newBuilder().sslContext(certificate.sslContext()).build();
  }

  @AfterAll
  void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  private String url(int broker) {
    String url = cluster.broker(broker).httpsUrl();
    assertNotNull(url, "the broker announced its HTTPS head");
    assertTrue(url.startsWith("https://"), url);
    return url;
  }

  private static String token(String resource, String rule, String key) {
    return SasToken.sign(
        NS + resource, rule, key, Instant.now().plus(Duration.ofHours(1)).getEpochSecond());
  }

  private HttpResponse<String> post(
      int broker, String path, String auth, String contentType, String body, String... headers)
      throws IOException, InterruptedException {
    return post(broker, path, auth, contentType, body.getBytes(StandardCharsets.UTF_8), headers);
  }

  private HttpResponse<String> post(
      int broker, String path, String auth, String contentType, byte[] body, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url(broker) + path))
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (auth != null) {
      request.header("Authorization", auth);
    }
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    if (headers.length > 0) {
      request.headers(headers);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Every record of {@code topic} from the beginning, read by a Kafka consumer over SASL_SSL. */
  private List<ConsumerRecord<String, String>> readAll(String topic, int atLeast) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap());
    props.putAll(kafkaSecurity);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    List<ConsumerRecord<String, String>> read = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                consumer.poll(Duration.ofMillis(200)).forEach(read::add);
                return read.size() >= atLeast;
              });
    }
    return read;
  }

  private KafkaProducer<String, String> producer() {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap());
    props.putAll(kafkaSecurity);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(props);
  }

  private static String header(ConsumerRecord<?, ?> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  @Test
  @Order(1)
  void anEventPublishedOverHttpsIsReadByKafkaWithKeyPropertiesAndTimestamp() throws Exception {
    long before = System.currentTimeMillis();
    HttpResponse<String> created =
        post(
            1,
            "/orders/messages?timeout=60&api-version=2014-01",
            token("orders", "sender", "sender-1"),
            "application/atom+xml;type=entry;charset=utf-8",
            "temperature 21.5",
            "BrokerProperties",
            "{\"PartitionKey\":\"device-1\"}",
            "Sensor",
            "\"thermometer\"",
            "Floor",
            "3");
    long after = System.currentTimeMillis();
    assertEquals(201, created.statusCode(), created.body());

    RecordMetadata fromKafka;
    try (KafkaProducer<String, String> producer = producer()) {
      fromKafka = producer.send(new ProducerRecord<>("orders", "device-1", "from kafka")).get();
    }
    List<ConsumerRecord<String, String>> read = readAll("orders", 2);
    ConsumerRecord<String, String> event =
        read.stream().filter(r -> r.value().equals("temperature 21.5")).findFirst().orElseThrow();
    assertEquals("device-1", event.key());
    assertEquals("thermometer", header(event, "Sensor"), "a quoted string property, unquoted");
    assertEquals("3", header(event, "Floor"));
    assertEquals(null, header(event, "Authorization"), "credentials are not a property");
    assertTrue(
        event.timestamp() >= before && event.timestamp() <= after,
        "timestamp " + event.timestamp() + " is the time the broker took the event");
    assertEquals(
        fromKafka.partition(),
        event.partition(),
        "same key, same partition as Kafka's default partitioner");
  }

  @Test
  @Order(2)
  void aBatchPublishesManyEventsAtOnceAndKeylessOnesSpreadOverPartitions() throws Exception {
    StringBuilder batch = new StringBuilder("[");
    for (int i = 0; i < 6; i++) {
      batch
          .append(i == 0 ? "" : ",")
          .append("{\"Body\":\"reading-")
          .append(i)
          .append("\",\"UserProperties\":{\"Seq\":")
          .append(i)
          .append(",\"Unit\":\"C\"}}");
    }
    batch.append(",{\"Body\":\"keyed\",\"BrokerProperties\":{\"PartitionKey\":\"device-9\"}}]");
    HttpResponse<String> created =
        post(2, "/h10/messages", token("h10", "sender", "sender-2"), BATCH, batch.toString());
    assertEquals(201, created.statusCode(), created.body());

    List<ConsumerRecord<String, String>> read = readAll("h10", 7);
    assertEquals(7, read.size());
    ConsumerRecord<String, String> third =
        read.stream().filter(r -> r.value().equals("reading-2")).findFirst().orElseThrow();
    assertEquals("2", header(third, "Seq"));
    assertEquals("C", header(third, "Unit"));
    assertEquals(null, third.key());
    assertEquals(
        "device-9",
        read.stream().filter(r -> r.value().equals("keyed")).findFirst().orElseThrow().key());

    StringBuilder keyless = new StringBuilder("[");
    for (int i = 0; i < 6; i++) {
      keyless.append(i == 0 ? "" : ",").append("{\"Body\":\"spread-").append(i).append("\"}");
    }
    keyless.append("]");
    assertEquals(
        201,
        post(1, "/orders/messages", token("", "sender", "sender-1"), BATCH, keyless.toString())
            .statusCode());
    Set<Integer> partitions =
        readAll("orders", 8).stream()
            .filter(r -> r.value().startsWith("spread-"))
            .map(ConsumerRecord::partition)
            .collect(Collectors.toSet());
    assertEquals(Set.of(0, 1, 2), partitions, "six keyless events round-robin over 3 partitions");
  }

  @Test
  @Order(3)
  void oversizedEventsAndBatchesGet413AndTheConnectionCarriesOn() throws Exception {
    String auth = token("orders", "sender", "sender-1");
    HttpResponse<String> tooLarge =
        post(1, "/orders/messages", auth, "application/octet-stream", new byte[256 * 1024 + 1]);
    assertEquals(413, tooLarge.statusCode());
    assertTrue(tooLarge.body().contains("maximum of 262144 bytes"), tooLarge.body());

    String big = "x".repeat(100 * 1024);
    String batch =
        "[{\"Body\":\"" + big + "\"},{\"Body\":\"" + big + "\"},{\"Body\":\"" + big + "\"}]";
    HttpResponse<String> bigBatch = post(1, "/orders/messages", auth, BATCH, batch);
    assertEquals(413, bigBatch.statusCode(), "a 300 KB batch");

    HttpResponse<String> atTheLimit =
        post(1, "/orders/messages", auth, "application/octet-stream", new byte[256 * 1024]);
    assertEquals(201, atTheLimit.statusCode(), atTheLimit.body());
  }

  @Test
  @Order(4)
  void badCredentialsGet401AndCredentialsWithoutTheRightGet403() throws Exception {
    String body = "nope";
    HttpResponse<String> missing = post(1, "/h1/messages", null, null, body);
    assertEquals(401, missing.statusCode());
    assertEquals(
        "SharedAccessSignature", missing.headers().firstValue("WWW-Authenticate").orElseThrow());
    long past = Instant.now().getEpochSecond() - 5;
    long future = Instant.now().plus(Duration.ofHours(1)).getEpochSecond();
    List<String> bad =
        List.of(
            SasToken.sign(NS + "h1", "sender", "sender-1", past),
            SasToken.sign(NS + "h1", "sender", "forged", future),
            SasToken.sign(NS + "h1", "nobody", "sender-1", future),
            "SharedAccessSignature sr=nonsense",
            "Endpoint=" + NS + ";SharedAccessKeyName=sender;SharedAccessKey=sender-1");
    String refusal = null;
    for (String auth : bad) {
      HttpResponse<String> refused = post(1, "/h1/messages", auth, null, body);
      assertEquals(401, refused.statusCode(), auth);
      refusal = refusal == null ? refused.body() : refusal;
      assertEquals(refusal, refused.body(), "no hint which part was wrong");
    }
    assertTrue(refusal.contains("invalid SAS credentials"), refusal);

    HttpResponse<String> prefix =
        post(1, "/h10/messages", token("h1", "sender", "sender-1"), null, body);
    assertEquals(403, prefix.statusCode(), "a token for h1 does not open h10");
    HttpResponse<String> listenOnly =
        post(1, "/orders/messages", token("orders", "reader", "reader-1"), null, body);
    assertEquals(403, listenOnly.statusCode(), "listen does not send");
    HttpResponse<String> internal =
        post(1, "/__consumer_offsets/messages", token("", "root", "root-1"), null, body);
    assertEquals(404, internal.statusCode(), "internal topics are not published to");
    assertEquals(
        404,
        post(1, "/no-such-topic/messages", token("", "root", "root-2"), null, body).statusCode());
    assertEquals(
        404,
        post(1, "/orders/somewhere-else", token("", "root", "root-2"), null, body).statusCode());
    assertEquals(
        400,
        post(
                1,
                "/orders/messages",
                token("", "root", "root-2"),
                BATCH,
                "{\"Body\": \"not an array\"}")
            .statusCode());
    HttpResponse<String> get =
        http.send(
            HttpRequest.newBuilder(URI.create(url(1) + "/orders/messages")).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(405, get.statusCode());
  }

  @Test
  @Order(5)
  void aPublisherSendsUnderItsOwnNameOnlyAndNotOnceRevoked() throws Exception {
    String device = token("h1/publishers/device-7", "sender", "sender-1");
    assertEquals(
        201, post(1, "/h1/publishers/device-7/messages", device, null, "as device-7").statusCode());
    assertEquals(
        403,
        post(1, "/h1/publishers/device-8/messages", device, null, "as someone else").statusCode());
    assertEquals(
        400,
        post(
                1,
                "/h1/publishers/device-7/messages",
                device,
                null,
                "other key",
                "BrokerProperties",
                "{\"PartitionKey\":\"device-8\"}")
            .statusCode());
    assertEquals(
        201,
        post(2, "/h1/messages", device, null, "plain path, bound key").statusCode(),
        "the token binds the key on the plain path too");
    List<ConsumerRecord<String, String>> read = readAll("h1", 2);
    assertTrue(read.stream().allMatch(r -> "device-7".equals(r.key())), read.toString());

    cluster.sasRules().publish(rules(Set.of("h1/device-7")));
    long revoked = System.nanoTime();
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .pollDelay(Duration.ZERO)
        .until(
            () ->
                post(1, "/h1/publishers/device-7/messages", device, null, "r").statusCode() == 403
                    && post(2, "/h1/publishers/device-7/messages", device, null, "r").statusCode()
                        == 403);
    System.out.printf(
        "MEASURED revoked publisher refused over HTTPS %.1f s after the rules changed%n",
        (System.nanoTime() - revoked) / 1e9);
    assertEquals(
        403,
        post(1, "/h1/publishers/device-7/messages", token("", "sender", "sender-1"), null, "r")
            .statusCode(),
        "a revoked publisher is refused whoever's token sends as it");
    cluster.sasRules().publish(rules(Set.of()));
  }

  @Test
  @Order(7)
  void overQuotaRequestsGet429WithRetryAfterAndBothHeadsShareTheQuota() throws Exception {
    String auth = token("orders", "sender", "sender-1");
    // Ten small events a second: well inside 1 TU (500 events/s on each of the two brokers).
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> quiet = post(1, "/orders/messages", auth, null, "quiet-" + i);
      assertEquals(201, quiet.statusCode(), quiet.body());
      Thread.sleep(100); // pacing a client at 10 requests/s, not waiting for a condition
    }

    // A Kafka producer flat out takes the cluster's quota; HTTPS publishers then get 429.
    AtomicBoolean flooding = new AtomicBoolean(true);
    Thread flood =
        new Thread(
            () -> {
              KafkaProducer<String, String> producer = producer();
              try {
                // Keys spread the flood over every partition, so over both brokers' shares.
                for (int i = 0; flooding.get(); i++) {
                  producer.send(new ProducerRecord<>("orders", "k" + (i % 30), "flood"));
                }
              } finally {
                producer.close(Duration.ofSeconds(1)); // what is still queued is not the point
              }
            });
    flood.start();
    HttpResponse<String>[] throttled = new HttpResponse[1];
    try {
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(100))
          .until(
              () -> {
                HttpResponse<String> r = post(1, "/orders/messages", auth, null, "during flood");
                throttled[0] = r;
                return r.statusCode() == 429;
              });
    } finally {
      flooding.set(false);
      flood.join(TimeUnit.SECONDS.toMillis(30));
    }
    HttpResponse<String> refused = throttled[0];
    assertTrue(refused.body().contains("quota exceeded"), refused.body());
    int retryAfter = Integer.parseInt(refused.headers().firstValue("Retry-After").orElseThrow());
    assertTrue(retryAfter >= 1, "Retry-After " + retryAfter);

    // Honouring Retry-After gets the event in: nothing about a 429 sticks.
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofSeconds(retryAfter))
        .until(() -> post(1, "/orders/messages", auth, null, "after").statusCode() == 201);
  }

  @Test
  @Order(8)
  void kcatProducesAndConsumesOverSaslSsl() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Kcat.installed(), "kcat is not installed (.ci/run installs it)");
    String password = "Endpoint=" + NS + ";SharedAccessKeyName=root;SharedAccessKey=root-2";
    List<String> tls =
        List.of(
            "-X", "security.protocol=SASL_SSL",
            "-X", "ssl.ca.location=" + certificate.certificateFile(),
            "-X", "sasl.mechanisms=PLAIN",
            "-X", "sasl.username=$ConnectionString",
            "-X", "sasl.password=" + password);
    List<String> produce =
        new ArrayList<>(List.of("kcat", "-P", "-b", cluster.bootstrap(), "-t", "h1", "-k", "kc"));
    produce.addAll(tls);
    Kcat.run(produce, "from kcat over TLS\n");
    List<String> consume =
        new ArrayList<>(
            List.of("kcat", "-C", "-b", cluster.bootstrap(), "-t", "h1", "-o", "beginning", "-e"));
    consume.addAll(tls);
    String out = Kcat.run(consume, null);
    assertTrue(out.contains("from kcat over TLS") && out.contains("as device-7"), out);
  }

  @Test
  @Order(6) // before the quota test, whose flood leaves the quota's clock ahead for a while
  void aRegeneratedKeyIsRefusedOverHttpsWithinSecondsAndTheOtherKeyGoesOn() throws Exception {
    String old = token("h10", "sender", "sender-1");
    assertEquals(201, post(1, "/h10/messages", old, null, "before").statusCode());
    cluster.sasRules().publish(rules(Set.of(), "sender-1-regenerated"));
    long regenerated = System.nanoTime();
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .pollDelay(Duration.ZERO)
        .until(
            () ->
                post(1, "/h10/messages", old, null, "after").statusCode() == 401
                    && post(2, "/h10/messages", old, null, "after").statusCode() == 401);
    System.out.printf(
        "MEASURED regenerated key refused over HTTPS %.1f s after the rules changed%n",
        (System.nanoTime() - regenerated) / 1e9);
    assertEquals(
        201, post(2, "/h10/messages", token("h10", "sender", "sender-2"), null, "x").statusCode());
    cluster.sasRules().publish(rules(Set.of()));
    Awaitility.await() // the later tests sign with the original key again
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                post(1, "/h10/messages", old, null, "restored").statusCode() == 201
                    && post(2, "/h10/messages", old, null, "restored").statusCode() == 201);
  }

  @Test
  @Order(9)
  void junkBytesCloseOnlyTheirConnection() throws Exception {
    URI head = URI.create(url(1));
    for (byte[] junk :
        List.of(
            "GARBAGE\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
            new byte[] {0x16, 0x03, 0x01, 0x7f, 0x7f, 0, 0, 0},
            new byte[64 * 1024])) {
      try (java.net.Socket socket = new java.net.Socket(head.getHost(), head.getPort())) {
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write(junk);
        socket.getOutputStream().flush();
        socket.shutdownOutput();
        // Whatever comes back, the connection ends: read to the end.
        while (socket.getInputStream().read() >= 0) {
          // drain
        }
      } catch (java.net.SocketException reset) {
        // the broker may reset a connection it refuses: that is an end too
      }
    }
    HttpResponse<String> stillServing =
        http.send(
            HttpRequest.newBuilder(URI.create(url(1) + "/orders/messages")).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(405, stillServing.statusCode(), "the head still answers after the junk");
  }
}
