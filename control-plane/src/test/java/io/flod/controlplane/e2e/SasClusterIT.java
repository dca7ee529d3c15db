package io.flod.controlplane.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.flod.api.client.FlodClient;
import io.flod.broker.auth.SasToken;
import io.flod.broker.support.ClientMetrics;
import io.flod.broker.support.Kcat;
import io.flod.broker.support.TestCertificate;
import io.flod.broker.support.TestCluster;
import io.flod.controlplane.ControlPlane;
import io.flod.controlplane.fleet.BrokerTls;
import io.flod.controlplane.machines.MachineProviders;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cluster created with {@code "authentication": "SAS"} through the REST API on local machines
 * (real agents and brokers), with the control plane handing the brokers a certificate: the brokers
 * require SASL_SSL, replicate over TLS with the cluster's secret, the control plane creates topics
 * logged in with it, a rule's connection string from listKeys works for the Java clients and for
 * kcat (librdkafka), the HTTPS heads take events with a SAS token, a client without credentials
 * gets nothing, throttling is reported, and a regenerated key is refused within seconds.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SasClusterIT {
  private static final String CLUSTER = "/v1/tenants/sas/clusters/secure";
  @TempDir static Path dataDir;

  @RegisterExtension
  static final MachineLogsOnFailure machineLogs =
      new MachineLogsOnFailure(() -> dataDir.resolve("machines"));

  private ControlPlane controlPlane;
  private FlodClient api;
  private static TestCertificate certificate;

  @BeforeAll
  void start() throws Exception {
    certificate = TestCertificate.create(dataDir.resolve("tls"));
    controlPlane =
        ControlPlane.builder()
            .dataDir(dataDir)
            .brokerTls(new BrokerTls(certificate.certificateFile(), certificate.keyFile()))
            .provisioner(url -> MachineProviders.local(dataDir, url))
            .reconcileIntervalMs(500)
            .heartbeatIntervalMs(500)
            .start();
    FlodClient operator =
        new FlodClient(controlPlane.baseUri(), controlPlane.operatorKey().secret());
    operator.post("/v1/tenants", Map.of("name", "sas"));
    String key = operator.post("/v1/tenants/sas/keys", Map.of()).body().get("secret").asText();
    api = new FlodClient(controlPlane.baseUri(), key);
  }

  @AfterAll
  void stop() {
    if (controlPlane != null) {
      try {
        FlodClient.Response deleted = api.delete(CLUSTER);
        if (deleted.location() != null) {
          awaitOperation(deleted.location(), Duration.ofMinutes(2));
        }
      } finally {
        controlPlane.close();
      }
    }
  }

  @Test
  void aSasClusterServesOnlyClientsWithAValidConnectionString() throws Exception {
    Map<String, Object> spec = new HashMap<>();
    spec.put("name", "secure");
    spec.put("nodeCount", 2);
    spec.put("nodeSize", "small");
    spec.put("zones", List.of("z1", "z2"));
    spec.put("throughputUnits", 1);
    spec.put("brokerVersion", "4.0");
    spec.put("authentication", "SAS");
    awaitOperation(api.post("/v1/tenants/sas/clusters", spec).location(), Duration.ofMinutes(3));
    api.post(
        CLUSTER + "/topics",
        Map.of("name", "orders", "partitions", 3, "replicationFactor", 2, "minInsyncReplicas", 2));
    api.post(
        CLUSTER + "/authorizationRules",
        Map.of("name", "app", "rights", List.of("send", "listen")));
    JsonNode keys = api.post(CLUSTER + "/authorizationRules/app/listKeys", null).body();
    String connection = keys.get("primaryConnectionString").asText();
    String bootstrap = api.get(CLUSTER).body().at("/status/bootstrapServers").asText();

    // The control plane made the topic on the brokers, logged in with the cluster's secret. Each
    // broker reads the rules on its own poll, so the new rule is awaited on every one of them (a
    // client that asked only the first could still be refused by the second, about a second later).
    for (String broker : bootstrap.split(",")) {
      try (Admin admin = Admin.create(clientProps(broker, connection))) {
        Awaitility.await()
            .atMost(Duration.ofSeconds(60))
            .ignoreExceptions()
            .until(() -> admin.listTopics().names().get(10, TimeUnit.SECONDS).contains("orders"));
      }
    }
    Properties producerProps = ClusterLifecycleIT.producerProps(bootstrap);
    producerProps.putAll(clientProps(bootstrap, connection));
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps)) {
      for (int i = 0; i < 30; i++) {
        producer
            .send(new ProducerRecord<>("orders", "k" + i, "java-" + i))
            .get(60, TimeUnit.SECONDS);
      }
    }
    api.post(CLUSTER + "/topics/orders/consumerGroups", Map.of("name", "billing"));
    List<String> read = consume(bootstrap, connection, 30, "billing");
    assertEquals(30, read.size(), "acks=all with both replicas: replication logged in too");

    // The brokers' HTTP heads, as the cluster's status lists them, take events with a SAS token.
    JsonNode endpoints = api.get(CLUSTER).body().at("/status/httpEndpoints");
    assertEquals(2, endpoints.size(), endpoints.toString());
    String endpoint = endpoints.get(1).asText();
    String token =
        SasToken.sign(
            connection.split(";")[0].substring("Endpoint=".length()) + "orders",
            "app",
            keys.get("primaryKey").asText(),
            java.time.Instant.now().plusSeconds(3600).getEpochSecond());
    assertTrue(endpoint.startsWith("https://"), endpoint);
    HttpClient http = HttpClient.newBuilder().sslContext(certificate.sslContext()).build();
    HttpResponse<String> created =
        http.send(
            HttpRequest.newBuilder(URI.create(endpoint + "/orders/messages"))
                .header("Authorization", token)
                .header("BrokerProperties", "{\"PartitionKey\":\"k1\"}")
                .POST(HttpRequest.BodyPublishers.ofString("over-http"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(201, created.statusCode(), created.body());
    HttpResponse<String> noToken =
        http.send(
            HttpRequest.newBuilder(URI.create(endpoint + "/orders/messages"))
                .POST(HttpRequest.BodyPublishers.ofString("no token"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(401, noToken.statusCode(), noToken.body());
    assertTrue(consume(bootstrap, connection, 31).contains("over-http"));

    // Group billing read the first 30 and committed; the HTTPS event is its lag, as listed.
    JsonNode groups = api.get(CLUSTER + "/topics/orders/consumerGroups").body();
    long billingLag = -1;
    for (JsonNode g : groups.get("items")) {
      if (g.get("name").asText().equals("billing")) {
        billingLag = g.path("lag").asLong(-1);
      }
    }
    assertEquals(1, billingLag, groups.toString());

    // A producer flat out at 1 TU is throttled, and the throttling report names the partitions.
    try (KafkaProducer<String, String> flood = new KafkaProducer<>(producerProps)) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (ClientMetrics.max(flood.metrics(), "produce-throttle-time-max") <= 0
          && System.nanoTime() < deadline) {
        flood.send(new ProducerRecord<>("orders", "k" + (System.nanoTime() % 7), "flood"));
      }
      assertTrue(
          ClientMetrics.max(flood.metrics(), "produce-throttle-time-max") > 0,
          "the flood was throttled");
      flood.close(Duration.ofSeconds(1));
    }
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              JsonNode report = api.get(CLUSTER + "/throttling").body();
              for (JsonNode entry : report.get("entries")) {
                if (entry.get("topic").asText().equals("orders")
                    && entry.get("direction").asText().equals("ingress")
                    && entry.get("peakEventsPerSecond").asLong() > 0) {
                  System.out.println("MEASURED throttling report entry: " + entry);
                  return true;
                }
              }
              return false;
            });

    if (Kcat.installed()) {
      List<String> kcatSasl =
          List.of(
              "-X", "security.protocol=SASL_SSL",
              "-X", "ssl.ca.location=" + certificate.certificateFile(),
              "-X", "sasl.mechanisms=PLAIN",
              "-X", "sasl.username=$ConnectionString",
              "-X", "sasl.password=" + connection);
      List<String> produce =
          new ArrayList<>(List.of("kcat", "-P", "-b", bootstrap, "-t", "orders"));
      produce.addAll(kcatSasl);
      Kcat.run(produce, "from-kcat\n");
      List<String> consume =
          new ArrayList<>(
              List.of("kcat", "-C", "-b", bootstrap, "-t", "orders", "-o", "beginning", "-e"));
      consume.addAll(kcatSasl);
      String out = Kcat.run(consume, null);
      assertTrue(out.contains("from-kcat") && out.contains("java-7"), out);
    } else {
      System.out.println("kcat is not installed: skipping the librdkafka part");
    }

    try (Admin anonymous =
        Admin.create(
            Map.of(
                "bootstrap.servers",
                bootstrap,
                "default.api.timeout.ms",
                5_000,
                "request.timeout.ms",
                3_000))) {
      assertThrows(
          ExecutionException.class,
          () -> anonymous.listTopics().names().get(20, TimeUnit.SECONDS),
          "no credentials, no topics");
    }

    api.post(CLUSTER + "/authorizationRules/app/regenerateKeys", Map.of("keyType", "PrimaryKey"));
    long regenerated = System.nanoTime();
    List<String> attempts = new ArrayList<>();
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .pollDelay(Duration.ZERO)
        .failFast(() -> attempts.size() > 0 && attempts.get(attempts.size() - 1).startsWith("!"))
        .until(
            () -> {
              try (Admin admin = Admin.create(clientProps(bootstrap, connection))) {
                admin.listTopics().names().get(10, TimeUnit.SECONDS);
                attempts.add("served");
                return false;
              } catch (java.util.concurrent.TimeoutException e) {
                attempts.add("timed out");
                return false;
              } catch (ExecutionException e) {
                boolean refused = e.getCause() instanceof SaslAuthenticationException;
                attempts.add((refused ? "" : "!") + e.getCause());
                return refused;
              }
            });
    System.out.printf(
        "MEASURED regenerated key refused by the brokers %.1f s after the API call (%s)%n",
        (System.nanoTime() - regenerated) / 1e9, attempts);
    String secondary = keys.get("secondaryConnectionString").asText();
    assertFalse(consume(bootstrap, secondary, 31).isEmpty(), "the secondary key still works");
  }

  private static Map<String, Object> clientProps(String bootstrap, String connection) {
    Map<String, Object> props = new HashMap<>(TestCluster.saslPlain(connection));
    props.put("bootstrap.servers", bootstrap);
    props.put("security.protocol", "SASL_SSL");
    props.putAll(certificate.kafkaTrust());
    return props;
  }

  private static List<String> consume(String bootstrap, String connection, int atLeast) {
    return consume(bootstrap, connection, atLeast, "reader-" + System.nanoTime());
  }

  /** Reads {@code orders} from the start as {@code group}, which commits on close. */
  private static List<String> consume(
      String bootstrap, String connection, int atLeast, String group) {
    Properties props = new Properties();
    props.putAll(clientProps(bootstrap, connection));
    props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
      consumer.subscribe(List.of("orders"));
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(300))) {
                  values.add(r.value());
                }
                return values.size() >= atLeast;
              });
    }
    return values;
  }

  private void awaitOperation(String location, Duration limit) {
    Operations.awaitSuccess(api, location, limit);
  }
}
