package io.flod.broker.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flod.broker.support.InProcessBroker;
import io.flod.broker.support.RawKafkaClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.InvalidGroupIdException;
import org.apache.kafka.common.errors.OffsetMetadataTooLarge;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.HeartbeatRequest;
import org.apache.kafka.common.requests.HeartbeatResponse;
import org.apache.kafka.common.requests.JoinGroupRequest;
import org.apache.kafka.common.requests.JoinGroupResponse;
import org.apache.kafka.common.requests.OffsetCommitRequest;
import org.apache.kafka.common.requests.OffsetCommitResponse;
import org.apache.kafka.common.requests.SyncGroupRequest;
import org.apache.kafka.common.requests.SyncGroupResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** What real clients never send, and the errors the group coordinator answers with. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GroupBadInputIT {
  @TempDir static Path dataDir;
  private InProcessBroker broker;

  @BeforeAll
  void start() throws Exception {
    Map<String, String> configs = new HashMap<>(ConsumerGroupIT.FAST_GROUPS);
    configs.put("consumer.groups.per.topic.max", "3");
    broker = InProcessBroker.start(dataDir, configs);
    try (Admin admin = broker.admin()) {
      admin
          .createTopics(
              List.of(
                  new NewTopic("guarded", 2, (short) 1),
                  new NewTopic("limited", 1, (short) 1),
                  new NewTopic("static-topic", 2, (short) 1)))
          .all()
          .get();
    }
  }

  @AfterAll
  void stop() {
    broker.close();
  }

  /**
   * Joins as a real member would (KIP-394 two-step join, then sync); returns member id and
   * generation.
   */
  private static JoinGroupResponse join(RawKafkaClient raw, String group, String memberId)
      throws Exception {
    JoinGroupRequestData data =
        new JoinGroupRequestData()
            .setGroupId(group)
            .setMemberId(memberId)
            .setSessionTimeoutMs(10_000)
            .setRebalanceTimeoutMs(10_000)
            .setProtocolType("consumer");
    data.protocols()
        .add(
            new JoinGroupRequestData.JoinGroupRequestProtocol()
                .setName("range")
                .setMetadata(new byte[0]));
    return raw.send(new JoinGroupRequest.Builder(data).build((short) 7));
  }

  @Test
  void commitsFromAStaleGenerationOrAnUnknownMemberAreRefused() throws Exception {
    try (RawKafkaClient raw = new RawKafkaClient(broker.bootstrapServers())) {
      JoinGroupResponse first = join(raw, "raw-group", "");
      assertEquals(Errors.MEMBER_ID_REQUIRED, first.error());
      JoinGroupResponse joined = join(raw, "raw-group", first.data().memberId());
      assertEquals(Errors.NONE, joined.error());
      String memberId = joined.data().memberId();
      int generation = joined.data().generationId();
      SyncGroupResponse synced =
          raw.send(
              new SyncGroupRequest.Builder(
                      new SyncGroupRequestData()
                          .setGroupId("raw-group")
                          .setGenerationId(generation)
                          .setMemberId(memberId))
                  .build((short) 3));
      assertEquals(Errors.NONE, synced.error());

      assertEquals(Errors.NONE, commit(raw, "raw-group", memberId, generation, "ok"));
      assertEquals(
          Errors.ILLEGAL_GENERATION, commit(raw, "raw-group", memberId, generation - 1, "stale"));
      assertEquals(
          Errors.UNKNOWN_MEMBER_ID, commit(raw, "raw-group", "impostor", generation, "who"));
      assertEquals(
          Errors.OFFSET_METADATA_TOO_LARGE,
          commit(raw, "raw-group", memberId, generation, "m".repeat(2048)));
      HeartbeatResponse heartbeat =
          raw.send(
              new HeartbeatRequest.Builder(
                      new org.apache.kafka.common.message.HeartbeatRequestData()
                          .setGroupId("raw-group")
                          .setMemberId("impostor")
                          .setGenerationId(generation))
                  .build((short) 3));
      assertEquals(Errors.UNKNOWN_MEMBER_ID, heartbeat.error());

      JoinGroupResponse hugeId = join(raw, "g".repeat(10 * 1024), "");
      assertEquals(Errors.INVALID_GROUP_ID, hugeId.error());
    }
  }

  private static Errors commit(
      RawKafkaClient raw, String group, String memberId, int generation, String metadata)
      throws Exception {
    OffsetCommitRequestData data =
        new OffsetCommitRequestData()
            .setGroupId(group)
            .setMemberId(memberId)
            .setGenerationIdOrMemberEpoch(generation);
    data.topics()
        .add(
            new OffsetCommitRequestData.OffsetCommitRequestTopic()
                .setName("guarded")
                .setPartitions(
                    List.of(
                        new OffsetCommitRequestData.OffsetCommitRequestPartition()
                            .setPartitionIndex(0)
                            .setCommittedOffset(0)
                            .setCommittedMetadata(metadata))));
    OffsetCommitResponse response =
        raw.send(OffsetCommitRequest.Builder.forTopicNames(data).build((short) 8));
    return Errors.forCode(response.data().topics().get(0).partitions().get(0).errorCode());
  }

  @Test
  void theKafkaConsumerSeesTheErrorsItExpects() {
    Properties tooLong = broker.consumerProps();
    tooLong.put(ConsumerConfig.GROUP_ID_CONFIG, "x".repeat(10 * 1024));
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(tooLong)) {
      consumer.subscribe(List.of("guarded"));
      assertThrows(InvalidGroupIdException.class, () -> consumer.poll(Duration.ofSeconds(10)));
    }
    Properties props = broker.consumerProps();
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "metadata-group");
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
      consumer.assign(List.of(new TopicPartition("guarded", 0)));
      assertThrows(
          OffsetMetadataTooLarge.class,
          () ->
              consumer.commitSync(
                  Map.of(
                      new TopicPartition("guarded", 0),
                      new OffsetAndMetadata(0, "z".repeat(1025)))));
      consumer.commitSync(
          Map.of(new TopicPartition("guarded", 0), new OffsetAndMetadata(0, "z".repeat(1024))));
    }
  }

  @Test
  void aSecondInstanceWithTheSameGroupInstanceIdFencesTheFirst() throws Exception {
    Properties props = broker.consumerProps();
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "static-group");
    props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "instance-1");
    props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "10000");
    props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "200");
    try (KafkaConsumer<String, String> first = new KafkaConsumer<>(props);
        KafkaConsumer<String, String> second = new KafkaConsumer<>(props)) {
      first.subscribe(List.of("static-topic"));
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () -> {
                first.poll(Duration.ofMillis(100));
                return !first.assignment().isEmpty();
              });
      second.subscribe(List.of("static-topic"));
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () -> {
                second.poll(Duration.ofMillis(100));
                return !second.assignment().isEmpty();
              });
      AtomicReference<Throwable> fenced = new AtomicReference<>();
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () -> {
                try {
                  first.poll(Duration.ofMillis(100));
                  first.commitSync();
                } catch (FencedInstanceIdException e) {
                  fenced.set(e);
                }
                return fenced.get() != null;
              });
      assertInstanceOf(FencedInstanceIdException.class, fenced.get());
    }
  }

  @Test
  void aTopicAdmitsOnlyTheConfiguredNumberOfConsumerGroups() {
    // Limit 3: $Default plus two named groups.
    TopicPartition tp = new TopicPartition("limited", 0);
    for (String group : List.of("reader-1", "reader-2", "$Default")) {
      commitAs(group, tp);
    }
    KafkaException refused = assertThrows(KafkaException.class, () -> commitAs("reader-3", tp));
    assertTrue(
        String.valueOf(refused.getMessage()).toLowerCase().contains("policy"),
        "the refusal says why: " + refused.getMessage());
    commitAs("reader-1", tp); // groups already reading the topic carry on
  }

  private void commitAs(String group, TopicPartition tp) {
    Properties props = broker.consumerProps();
    props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
      consumer.assign(List.of(tp));
      consumer.commitSync(Map.of(tp, new OffsetAndMetadata(0)));
    }
  }
}
