package io.flod.broker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flod.broker.auth.Right;
import io.flod.broker.auth.SasRule;
import io.flod.broker.auth.SasRuleBook;
import io.flod.broker.auth.SasToken;
import io.flod.broker.support.ClusterTest;
import io.flod.broker.support.TestCluster;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Event Hubs' SAS on the Kafka head, with the unmodified Java clients over SASL_PLAINTEXT: user
 * {@code $ConnectionString}, password a connection string or a token. Two brokers replicate to each
 * other with the cluster's broker secret; rules are published to ZooKeeper as the control plane
 * does, and a regenerated key reaches live connections.
 */
class SasAuthenticationIT extends ClusterTest {
  private static final String NS = "sb://ns.acme.flod/";

  private static SasRuleBook.Snapshot rules(String senderPrimary) {
    return SasRuleBook.of(
        List.of(
            new SasRule(
                "root",
                null,
                Set.of(Right.SEND, Right.LISTEN, Right.MANAGE),
                "root-key-1",
                "root-key-2"),
            new SasRule("sender", null, Set.of(Right.SEND), senderPrimary, "sender-key-2"),
            new SasRule("reader", "h1", Set.of(Right.LISTEN), "reader-key-1", "reader-key-2")),
        "broker-secret-for-tests");
  }

  private static String connection(String rule, String key, String entity) {
    return "Endpoint="
        + NS
        + ";SharedAccessKeyName="
        + rule
        + ";SharedAccessKey="
        + key
        + (entity == null ? "" : ";EntityPath=" + entity);
  }

  private Properties clientProps(String password) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap());
    props.putAll(TestCluster.saslPlain(password));
    return props;
  }

  private KafkaProducer<String, String> producer(String password) {
    Properties props = clientProps(password);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000);
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    return new KafkaProducer<>(props);
  }

  private KafkaConsumer<String, String> consumer(String password, String group) {
    Properties props = clientProps(password);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
    return new KafkaConsumer<>(props);
  }

  private static Throwable sendFailure(KafkaProducer<String, String> producer, String topic) {
    ExecutionException e =
        assertThrows(
            ExecutionException.class,
            () -> producer.send(new ProducerRecord<>(topic, "k", "v")).get(30, TimeUnit.SECONDS));
    return e.getCause();
  }

  private void start() throws Exception {
    cluster =
        TestCluster.startWithSas(
            dir,
            "sas-it",
            2,
            rules("sender-key-1"),
            connection("root", "root-key-1", null),
            "zookeeper.session.timeout.ms=4000",
            "offsets.topic.num.partitions=2",
            "group.initial.rebalance.delay.ms=0");
    // Full ISRs on both brokers: the follower logged in to the leader with the broker secret.
    cluster.createTopic("h1", 2, 2, Map.of());
    cluster.createTopic("h10", 1, 2, Map.of());
  }

  @Test
  void rightsAndScopesDecideWhatEachCredentialMayDo() throws Exception {
    start();
    try (KafkaProducer<String, String> sender =
        producer(connection("sender", "sender-key-1", null))) {
      sender.send(new ProducerRecord<>("h1", "a", "from the namespace rule")).get();
      sender.send(new ProducerRecord<>("h10", "a", "any topic")).get();
    }
    long expiry = Instant.now().plus(Duration.ofHours(1)).getEpochSecond();
    try (KafkaProducer<String, String> scoped =
        producer(SasToken.sign(NS + "h1", "sender", "sender-key-2", expiry))) {
      scoped.send(new ProducerRecord<>("h1", "b", "token for h1, secondary key")).get();
      assertInstanceOf(TopicAuthorizationException.class, sendFailure(scoped, "h10"));
    }

    try (KafkaConsumer<String, String> reader =
        consumer(connection("reader", "reader-key-1", "h1"), "billing")) {
      assertEquals(Set.of("h1"), reader.listTopics().keySet(), "metadata shows only h1");
      reader.subscribe(List.of("h1"));
      List<ConsumerRecord<String, String>> read = new ArrayList<>();
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                reader.poll(Duration.ofMillis(200)).forEach(read::add);
                return read.size() >= 2;
              });
      reader.commitSync();
      assertEquals(2, read.size());
    }

    try (KafkaConsumer<String, String> sendOnly =
        consumer(connection("sender", "sender-key-1", null), "nope")) {
      sendOnly.subscribe(List.of("h1"));
      assertThrows(AuthorizationException.class, () -> sendOnly.poll(Duration.ofSeconds(10)));
    }

    // The root rule's key, narrowed by the token to h1: it administers h1 and nothing else.
    try (Admin h1Admin =
        Admin.create(clientProps(SasToken.sign(NS + "h1", "root", "root-key-1", expiry)))) {
      AlterConfigOp retention =
          new AlterConfigOp(new ConfigEntry("retention.ms", "3600000"), AlterConfigOp.OpType.SET);
      h1Admin
          .incrementalAlterConfigs(
              Map.of(new ConfigResource(ConfigResource.Type.TOPIC, "h1"), List.of(retention)))
          .all()
          .get(20, TimeUnit.SECONDS);
      ExecutionException other =
          assertThrows(
              ExecutionException.class,
              () ->
                  h1Admin
                      .incrementalAlterConfigs(
                          Map.of(
                              new ConfigResource(ConfigResource.Type.TOPIC, "h10"),
                              List.of(retention)))
                      .all()
                      .get(20, TimeUnit.SECONDS));
      assertInstanceOf(TopicAuthorizationException.class, other.getCause());
      ExecutionException describe =
          assertThrows(
              ExecutionException.class,
              () ->
                  h1Admin
                      .describeConfigs(
                          List.of(new ConfigResource(ConfigResource.Type.TOPIC, "h10")))
                      .all()
                      .get(20, TimeUnit.SECONDS));
      assertInstanceOf(TopicAuthorizationException.class, describe.getCause());
    }

    try (Admin reader = Admin.create(clientProps(connection("reader", "reader-key-1", "h1")))) {
      ExecutionException e =
          assertThrows(
              ExecutionException.class,
              () -> reader.deleteTopics(List.of("h1")).all().get(20, TimeUnit.SECONDS));
      assertInstanceOf(TopicAuthorizationException.class, e.getCause(), "admin needs manage");
    }
  }

  @Test
  void aCredentialOfOneTopicCannotJoinReadDescribeOrDeleteTheGroupsOfAnother() throws Exception {
    start();
    try (KafkaProducer<String, String> root = producer(connection("root", "root-key-1", null))) {
      root.send(new ProducerRecord<>("h1", "a", "for h1's group")).get();
    }
    long expiry = Instant.now().plus(Duration.ofHours(1)).getEpochSecond();
    // Every right of the root rule, confined to h10 by the token.
    String h10Admin = SasToken.sign(NS + "h10", "root", "root-key-1", expiry);
    java.util.concurrent.atomic.AtomicInteger assignments =
        new java.util.concurrent.atomic.AtomicInteger();
    try (KafkaConsumer<String, String> owner =
        consumer(connection("reader", "reader-key-1", "h1"), "h1-billing")) {
      owner.subscribe(
          List.of("h1"),
          new org.apache.kafka.clients.consumer.ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(
                java.util.Collection<org.apache.kafka.common.TopicPartition> partitions) {}

            @Override
            public void onPartitionsAssigned(
                java.util.Collection<org.apache.kafka.common.TopicPartition> partitions) {
              if (!partitions.isEmpty()) {
                assignments.incrementAndGet();
              }
            }
          });
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> !owner.poll(Duration.ofMillis(200)).isEmpty());
      owner.commitSync();

      try (KafkaConsumer<String, String> intruder = consumer(h10Admin, "h1-billing")) {
        intruder.subscribe(List.of("h10"));
        assertThrows(
            org.apache.kafka.common.errors.GroupAuthorizationException.class,
            () -> intruder.poll(Duration.ofSeconds(10)),
            "joining h1's group would rebalance it");
      }
      try (Admin admin = Admin.create(clientProps(h10Admin))) {
        assertTrue(
            admin.listConsumerGroups().all().get(20, TimeUnit.SECONDS).stream()
                .noneMatch(g -> g.groupId().equals("h1-billing")),
            "h1's group is not listed");
        assertGroupRefused(() -> admin.describeConsumerGroups(List.of("h1-billing")).all().get());
        assertGroupRefused(
            () ->
                admin.listConsumerGroupOffsets("h1-billing").partitionsToOffsetAndMetadata().get());
        assertGroupRefused(() -> admin.deleteConsumerGroups(List.of("h1-billing")).all().get());
      }
      owner.poll(Duration.ofMillis(500));
      assertEquals(1, assignments.get(), "the owner's group was never rebalanced");
    }

    // Its own topic's groups work as before.
    try (KafkaConsumer<String, String> audit = consumer(h10Admin, "h10-audit")) {
      audit.subscribe(List.of("h10"));
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                audit.poll(Duration.ofMillis(200));
                return !audit.assignment().isEmpty();
              });
    }
    try (Admin admin = Admin.create(clientProps(h10Admin))) {
      var listed = admin.listConsumerGroups().all().get(20, TimeUnit.SECONDS);
      assertTrue(listed.stream().anyMatch(g -> g.groupId().equals("h10-audit")), listed.toString());
    }
    try (Admin root = Admin.create(clientProps(connection("root", "root-key-1", null)))) {
      var listed = root.listConsumerGroups().all().get(20, TimeUnit.SECONDS);
      assertTrue(
          listed.stream().anyMatch(g -> g.groupId().equals("h1-billing"))
              && listed.stream().anyMatch(g -> g.groupId().equals("h10-audit")),
          "a namespace-wide rule sees every group: " + listed);
    }
  }

  private static void assertGroupRefused(org.junit.jupiter.api.function.Executable call) {
    ExecutionException e = assertThrows(ExecutionException.class, call);
    assertInstanceOf(
        org.apache.kafka.common.errors.GroupAuthorizationException.class, e.getCause(), "refused");
  }

  @Test
  void badCredentialsAreRefusedWithoutSayingWhy() throws Exception {
    start();
    long future = Instant.now().plus(Duration.ofHours(1)).getEpochSecond();
    for (String bad :
        List.of(
            connection("sender", "wrong-key", null),
            connection("nobody", "sender-key-1", null),
            SasToken.sign(NS, "sender", "sender-key-1", Instant.now().getEpochSecond() - 5),
            SasToken.sign(NS, "sender", "forged", future),
            SasToken.sign(NS + "h10", "reader", "reader-key-1", future),
            "SharedAccessSignature sr=nonsense")) {
      try (Admin admin = Admin.create(clientProps(bad))) {
        ExecutionException e =
            assertThrows(
                ExecutionException.class,
                () -> admin.listTopics().names().get(20, TimeUnit.SECONDS),
                bad);
        assertInstanceOf(SaslAuthenticationException.class, e.getCause(), bad);
        assertTrue(
            e.getCause().getMessage().contains("invalid SAS credentials"),
            e.getCause().getMessage());
      }
    }
  }

  @Test
  void aRegeneratedKeyEndsLiveAccessWithinSecondsAndTheOtherKeyGoesOn() throws Exception {
    start();
    try (KafkaProducer<String, String> primary =
            producer(connection("sender", "sender-key-1", null));
        KafkaProducer<String, String> secondary =
            producer(connection("sender", "sender-key-2", null))) {
      primary.send(new ProducerRecord<>("h1", "k", "before")).get();
      secondary.send(new ProducerRecord<>("h1", "k", "before")).get();

      cluster.sasRules().publish(rules("sender-key-1-regenerated"));
      long published = System.nanoTime();
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .pollDelay(Duration.ZERO)
          .until(
              () -> {
                try {
                  primary.send(new ProducerRecord<>("h1", "k", "after")).get(30, TimeUnit.SECONDS);
                  return false;
                } catch (ExecutionException e) {
                  return e.getCause() instanceof TopicAuthorizationException;
                }
              });
      System.out.printf(
          "MEASURED regenerated key refused on a live connection after %.1f s%n",
          (System.nanoTime() - published) / 1e9);
      secondary.send(new ProducerRecord<>("h1", "k", "after")).get();
    }
  }

  @Test
  void aPublisherTokenSendsOnlyUnderItsOwnKeyAndNotOnceRevoked() throws Exception {
    start();
    long expiry = Instant.now().plus(Duration.ofHours(1)).getEpochSecond();
    String token = SasToken.sign(NS + "h1/publishers/device-7", "sender", "sender-key-1", expiry);
    try (KafkaProducer<String, String> device = producer(token)) {
      device.send(new ProducerRecord<>("h1", "device-7", "reading")).get();
      assertInstanceOf(
          PolicyViolationException.class,
          sendFailure(device, "h1"),
          "key k is not the publisher's name");
      ExecutionException noKey =
          assertThrows(
              ExecutionException.class,
              () -> device.send(new ProducerRecord<>("h1", null, "anonymous")).get());
      assertInstanceOf(PolicyViolationException.class, noKey.getCause());
      assertInstanceOf(TopicAuthorizationException.class, sendFailure(device, "h10"));

      cluster
          .sasRules()
          .publish(rules("sender-key-1").withRevokedPublishers(Set.of("h1/device-7")));
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .pollDelay(Duration.ZERO)
          .until(
              () -> {
                try {
                  device
                      .send(new ProducerRecord<>("h1", "device-7", "r"))
                      .get(30, TimeUnit.SECONDS);
                  return false;
                } catch (ExecutionException e) {
                  return e.getCause() instanceof PolicyViolationException
                      && e.getCause().getMessage().contains("revoked");
                }
              });
      try (KafkaProducer<String, String> sender =
          producer(connection("sender", "sender-key-1", null))) {
        sender.send(new ProducerRecord<>("h1", "device-7", "not a publisher token")).get();
      }
    }
  }

  @Test
  void aTokenThatExpiresOnALiveConnectionEndsIt() throws Exception {
    start();
    long expiry = Instant.now().plus(Duration.ofSeconds(6)).getEpochSecond();
    try (KafkaProducer<String, String> shortLived =
        producer(SasToken.sign(NS, "sender", "sender-key-1", expiry))) {
      shortLived.send(new ProducerRecord<>("h1", "k", "while valid")).get();
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .pollDelay(Duration.ZERO)
          .until(
              () -> {
                try {
                  shortLived
                      .send(new ProducerRecord<>("h1", "k", "later"))
                      .get(30, TimeUnit.SECONDS);
                  return false;
                } catch (ExecutionException e) {
                  return e.getCause() instanceof SaslAuthenticationException
                      || e.getCause() instanceof TopicAuthorizationException;
                }
              });
      assertTrue(Instant.now().getEpochSecond() >= expiry, "refused only once expired");
    }
  }
}
