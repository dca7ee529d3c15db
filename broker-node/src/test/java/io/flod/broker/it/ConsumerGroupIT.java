package io.flod.broker.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flod.broker.support.GroupMemberThread;
import io.flod.broker.support.InProcessBroker;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Consumer groups with the unmodified Kafka consumer: rebalances, failover, inspection. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsumerGroupIT {
  static final Map<String, String> FAST_GROUPS =
      Map.of("group.initial.rebalance.delay.ms", "0", "group.min.session.timeout.ms", "500");
  private static final String SESSION_TIMEOUT_MS = "2500";
  @TempDir static Path dataDir;
  private InProcessBroker broker;
  private Admin admin;

  @BeforeAll
  void start() {
    broker = InProcessBroker.start(dataDir, FAST_GROUPS);
    admin = broker.admin();
  }

  @AfterAll
  void stop() {
    admin.close();
    broker.close();
  }

  private Properties member(String group) {
    Properties props = broker.consumerProps();
    props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, SESSION_TIMEOUT_MS);
    props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "300");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "200");
    return props;
  }

  private void createTopic(String topic, int partitions) throws Exception {
    admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
  }

  private void produce(String topic, int count) throws Exception {
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(broker.producerProps())) {
      for (int i = 0; i < count; i++) {
        producer.send(
            new ProducerRecord<>(topic, "key-" + System.nanoTime() + "-" + i, "value-" + i));
      }
    }
  }

  private static int total(Map<TopicPartition, List<Long>> processed) {
    return processed.values().stream().mapToInt(List::size).sum();
  }

  private static void awaitStable(List<GroupMemberThread> members, int partitions) {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                members.stream().allMatch(m -> !m.assignment.isEmpty())
                    && members.stream().mapToInt(m -> m.assignment.size()).sum() == partitions);
  }

  /** Every produced (partition, offset) consumed, none twice. */
  private void assertExactlyOnce(String topic, Map<TopicPartition, List<Long>> processed)
      throws Exception {
    Map<TopicPartition, Long> ends = endOffsets(topic);
    for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
      List<Long> offsets = processed.getOrDefault(e.getKey(), List.of());
      assertEquals(e.getValue().intValue(), offsets.size(), "records consumed from " + e.getKey());
      assertEquals(
          e.getValue().intValue(), new HashSet<>(offsets).size(), "no duplicates in " + e.getKey());
    }
  }

  private Map<TopicPartition, Long> endOffsets(String topic) throws Exception {
    int partitions =
        admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
    Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      specs.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }
    Map<TopicPartition, Long> ends = new HashMap<>();
    admin.listOffsets(specs).all().get().forEach((tp, info) -> ends.put(tp, info.offset()));
    return ends;
  }

  @Test
  void threeMembersConsumeEveryRecordExactlyOnceWithSynchronousCommits() throws Exception {
    createTopic("orders", 6);
    Map<TopicPartition, List<Long>> processed = new ConcurrentHashMap<>();
    List<GroupMemberThread> members = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      members.add(new GroupMemberThread(member("billing"), "orders", processed));
    }
    try {
      awaitStable(members, 6);
      members.forEach(
          m ->
              assertEquals(2, m.assignment.size(), "range assignment spreads 6 partitions over 3"));
      produce("orders", 30_000);
      await().atMost(Duration.ofSeconds(60)).until(() -> total(processed) >= 30_000);
      assertExactlyOnce("orders", processed);
      members.forEach(m -> assertNull(m.failure()));
    } finally {
      for (GroupMemberThread m : members) {
        m.stop(true);
      }
    }
    var committed = admin.listConsumerGroupOffsets("billing").partitionsToOffsetAndMetadata().get();
    endOffsets("orders")
        .forEach((tp, end) -> assertEquals(end, committed.get(tp).offset(), "committed " + tp));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "org.apache.kafka.clients.consumer.RangeAssignor",
        "org.apache.kafka.clients.consumer.RoundRobinAssignor",
        "org.apache.kafka.clients.consumer.StickyAssignor",
        "org.apache.kafka.clients.consumer.CooperativeStickyAssignor"
      })
  void everyClientSideAssignorSplitsTheTopicAndConsumesItExactlyOnce(String assignor)
      throws Exception {
    String topic = "assigned-" + assignor.substring(assignor.lastIndexOf('.') + 1);
    createTopic(topic, 4);
    Map<TopicPartition, List<Long>> processed = new ConcurrentHashMap<>();
    List<GroupMemberThread> members = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Properties props = member("group-" + topic);
      props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, assignor);
      members.add(new GroupMemberThread(props, topic, processed));
    }
    try {
      awaitStable(members, 4);
      members.forEach(
          m -> assertEquals(2, m.assignment.size(), assignor + " gives each member 2 of 4"));
      produce(topic, 2_000);
      await().atMost(Duration.ofSeconds(30)).until(() -> total(processed) >= 2_000);
      assertExactlyOnce(topic, processed);
      String protocol =
          admin
              .describeConsumerGroups(List.of("group-" + topic))
              .all()
              .get()
              .get("group-" + topic)
              .partitionAssignor();
      assertTrue(
          assignor.toLowerCase().contains(protocol.replace("-", "")), "the group runs " + protocol);
    } finally {
      for (GroupMemberThread m : members) {
        m.stop(true);
      }
    }
  }

  @Test
  void aMemberThatStopsWithoutLeavingLosesItsPartitionsAfterItsSessionTimeout() throws Exception {
    createTopic("failover", 6);
    Map<TopicPartition, List<Long>> processed = new ConcurrentHashMap<>();
    GroupMemberThread victim =
        new GroupMemberThread(member("failover-group"), "failover", processed);
    List<GroupMemberThread> survivors =
        List.of(
            new GroupMemberThread(member("failover-group"), "failover", processed),
            new GroupMemberThread(member("failover-group"), "failover", processed));
    List<GroupMemberThread> all = new ArrayList<>(survivors);
    all.add(victim);
    try {
      awaitStable(all, 6);
      produce("failover", 3_000);
      await().atMost(Duration.ofSeconds(30)).until(() -> total(processed) >= 3_000);
      Set<TopicPartition> victimPartitions = Set.copyOf(victim.assignment);
      victim.stop(false); // like a crash: no LeaveGroup
      Map<TopicPartition, OffsetAndMetadata> committedAtCrash =
          admin.listConsumerGroupOffsets("failover-group").partitionsToOffsetAndMetadata().get();
      produce("failover", 3_000);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> survivors.stream().mapToInt(m -> m.assignment.size()).sum() == 6);
      await().atMost(Duration.ofSeconds(30)).until(() -> total(processed) >= 6_000);
      assertExactlyOnce("failover", processed);
      for (TopicPartition tp : victimPartitions) {
        long resumedAt =
            survivors.stream()
                .flatMap(m -> m.processed.stream())
                .filter(r -> r[0] == tp.partition())
                .mapToLong(r -> r[1])
                .min()
                .orElseThrow();
        assertEquals(
            committedAtCrash.get(tp).offset(),
            resumedAt,
            "survivors resume " + tp + " at its last commit");
      }
    } finally {
      for (GroupMemberThread m : survivors) {
        m.stop(true);
      }
    }
  }

  @Test
  void aSigkilledMemberProcessHandsOverFromItsLastCommit() throws Exception {
    createTopic("killed", 6);
    Map<TopicPartition, List<Long>> processed = new ConcurrentHashMap<>();
    List<GroupMemberThread> survivors =
        List.of(
            new GroupMemberThread(member("kill-group"), "killed", processed),
            new GroupMemberThread(member("kill-group"), "killed", processed));
    Process probe =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                GroupMemberProbe.class.getName(),
                broker.bootstrapServers(),
                "kill-group",
                "killed",
                SESSION_TIMEOUT_MS)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    List<String> probeLines = new CopyOnWriteArrayList<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(probe.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                  probeLines.add(line);
                }
              } catch (java.io.IOException ignored) {
                // the probe was killed
              }
            });
    reader.start();
    try {
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  probeLines.stream().anyMatch(l -> l.startsWith("A "))
                      && survivors.stream().mapToInt(m -> m.assignment.size()).sum() == 4
                      && survivors.stream().allMatch(m -> m.assignment.size() == 2));
      produce("killed", 3_000);
      await()
          .atMost(Duration.ofSeconds(60)) // the probe is a separate JVM; CI runs on 2 busy cores
          .until(() -> probeLines.stream().anyMatch(l -> l.startsWith("C ")));
      probe.destroyForcibly().waitFor();
      reader.join(10_000);
      Map<TopicPartition, OffsetAndMetadata> committedAtKill =
          admin.listConsumerGroupOffsets("kill-group").partitionsToOffsetAndMetadata().get();
      Set<Integer> probePartitions =
          probeLines.stream()
              .filter(l -> l.startsWith("A "))
              .map(l -> Integer.parseInt(l.split(" ")[2]))
              .collect(Collectors.toSet());
      Map<Integer, Set<Long>> probeProcessed = new HashMap<>();
      probeLines.stream()
          .filter(l -> l.startsWith("R "))
          .forEach(
              l ->
                  probeProcessed
                      .computeIfAbsent(Integer.parseInt(l.split(" ")[1]), k -> new HashSet<>())
                      .add(Long.parseLong(l.split(" ")[2])));

      produce("killed", 3_000);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> survivors.stream().mapToInt(m -> m.assignment.size()).sum() == 6);
      Map<TopicPartition, Long> ends = endOffsets("killed");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  ends.entrySet().stream()
                      .allMatch(
                          e -> {
                            Set<Long> seen =
                                new HashSet<>(processed.getOrDefault(e.getKey(), List.of()));
                            seen.addAll(
                                probeProcessed.getOrDefault(e.getKey().partition(), Set.of()));
                            return seen.size() == e.getValue();
                          }));
      for (int p : probePartitions) {
        TopicPartition tp = new TopicPartition("killed", p);
        long committed = committedAtKill.containsKey(tp) ? committedAtKill.get(tp).offset() : 0;
        List<Long> afterKill = processed.getOrDefault(tp, List.of());
        assertEquals(
            committed,
            afterKill.stream().mapToLong(Long::longValue).min().orElse(committed),
            "resumed at last commit of " + tp);
        long redelivered =
            afterKill.stream()
                .filter(o -> probeProcessed.getOrDefault(p, Set.of()).contains(o))
                .count();
        long uncommittedTail =
            probeProcessed.getOrDefault(p, Set.of()).stream().filter(o -> o >= committed).count();
        assertTrue(
            redelivered <= uncommittedTail, "only the uncommitted tail is redelivered on " + tp);
      }
    } finally {
      probe.destroyForcibly();
      for (GroupMemberThread m : survivors) {
        m.stop(true);
      }
    }
  }

  @Test
  void aMemberThatStopsPollingLosesItsPartitionsAfterMaxPollIntervalAndRejoinsAfter()
      throws Exception {
    createTopic("slow-poll", 6);
    Map<TopicPartition, List<Long>> processed = new ConcurrentHashMap<>();
    Properties props = member("poll-group");
    props.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, "1500");
    GroupMemberThread stuck = new GroupMemberThread(props, "slow-poll", processed);
    GroupMemberThread healthy = new GroupMemberThread(props, "slow-poll", processed);
    try {
      awaitStable(List.of(stuck, healthy), 6);
      stuck.pausePolling(true);
      await().atMost(Duration.ofSeconds(20)).until(() -> healthy.assignment.size() == 6);
      produce("slow-poll", 600);
      await().atMost(Duration.ofSeconds(20)).until(() -> total(processed) >= 600);
      stuck.pausePolling(false);
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> stuck.assignment.size() == 3 && healthy.assignment.size() == 3);
      assertExactlyOnce("slow-poll", processed);
    } finally {
      stuck.stop(true);
      healthy.stop(true);
    }
  }

  @Test
  void cooperativeStickyRebalanceMovesOnlySomePartitionsWhenAMemberJoinsMidStream()
      throws Exception {
    createTopic("coop", 6);
    Map<TopicPartition, List<Long>> processed = new ConcurrentHashMap<>();
    List<GroupMemberThread> first = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Properties props = member("coop-group");
      props.put(
          ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
          CooperativeStickyAssignor.class.getName());
      first.add(new GroupMemberThread(props, "coop", processed));
    }
    GroupMemberThread joiner = null;
    try {
      awaitStable(first, 6);
      produce("coop", 5_000);
      await().atMost(Duration.ofSeconds(30)).until(() -> total(processed) >= 2_000);
      Map<GroupMemberThread, Set<TopicPartition>> before = new HashMap<>();
      first.forEach(m -> before.put(m, Set.copyOf(m.assignment)));
      int revocationsBefore = first.stream().mapToInt(m -> m.revocations.size()).sum();

      Properties props = member("coop-group");
      props.put(
          ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
          CooperativeStickyAssignor.class.getName());
      joiner = new GroupMemberThread(props, "coop", processed);
      GroupMemberThread third = joiner;
      produce("coop", 5_000);
      await().atMost(Duration.ofSeconds(30)).until(() -> third.assignment.size() == 2);
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> new HashSet<>(flatten(processed)).size() >= 10_000);

      for (GroupMemberThread m : first) {
        List<Set<TopicPartition>> newRevocations = m.revocations.subList(0, m.revocations.size());
        for (Set<TopicPartition> revoked : newRevocations) {
          assertFalse(
              revoked.equals(before.get(m)) && !revoked.isEmpty(),
              "cooperative: a member never gives up everything");
        }
        assertEquals(2, m.assignment.size(), "each member ends with 2 partitions");
        assertTrue(
            before.get(m).containsAll(m.assignment), "members keep partitions they had (sticky)");
      }
      assertTrue(
          first.stream().mapToInt(m -> m.revocations.size()).sum() > revocationsBefore,
          "partitions moved to the newcomer");
      Map<TopicPartition, Long> ends = endOffsets("coop");
      ends.forEach(
          (tp, end) ->
              assertEquals(
                  end.intValue(),
                  new HashSet<>(processed.get(tp)).size(),
                  "nothing skipped in " + tp));
    } finally {
      for (GroupMemberThread m : first) {
        m.stop(true);
      }
      if (joiner != null) {
        joiner.stop(true);
      }
    }
  }

  private static List<String> flatten(Map<TopicPartition, List<Long>> processed) {
    List<String> all = new ArrayList<>();
    processed.forEach((tp, offsets) -> offsets.forEach(o -> all.add(tp + "@" + o)));
    return all;
  }

  @Test
  void twoGroupsReadTheSameTopicIndependently() throws Exception {
    createTopic("shared", 2);
    produce("shared", 1_000);
    Map<TopicPartition, List<Long>> fast = new ConcurrentHashMap<>();
    try (GroupMemberThread reader = new GroupMemberThread(member("fast-reader"), "shared", fast)) {
      await().atMost(Duration.ofSeconds(30)).until(() -> total(fast) >= 1_000);
    }
    Properties slowProps = member("slow-reader");
    slowProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    slowProps.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "100");
    int slowRead = 0;
    try (KafkaConsumer<String, String> slow = new KafkaConsumer<>(slowProps)) {
      slow.subscribe(List.of("shared"));
      long deadline = System.currentTimeMillis() + 30_000;
      while (slowRead < 300 && System.currentTimeMillis() < deadline) {
        slowRead += slow.poll(Duration.ofMillis(100)).count();
      }
      slow.commitSync();
    }
    long fastCommitted = sumCommitted("fast-reader");
    long slowCommitted = sumCommitted("slow-reader");
    assertEquals(1_000, fastCommitted);
    assertEquals(slowRead, slowCommitted, "the slow group kept its own position");
    assertTrue(slowCommitted < 1_000);
    Map<TopicPartition, List<Long>> rest = new ConcurrentHashMap<>();
    try (GroupMemberThread resumed = new GroupMemberThread(member("slow-reader"), "shared", rest)) {
      await().atMost(Duration.ofSeconds(30)).until(() -> total(rest) >= 1_000 - slowCommitted);
    }
    assertEquals(1_000 - slowCommitted, total(rest), "the slow group resumed where it stopped");
  }

  private long sumCommitted(String group) throws Exception {
    return admin
        .listConsumerGroupOffsets(group)
        .partitionsToOffsetAndMetadata()
        .get()
        .values()
        .stream()
        .mapToLong(OffsetAndMetadata::offset)
        .sum();
  }

  @Test
  void groupsAreListedDescribedMeasuredAndDeletedThroughTheAdminApi() throws Exception {
    createTopic("inspected", 3);
    produce("inspected", 600);
    Map<TopicPartition, List<Long>> processed = new ConcurrentHashMap<>();
    GroupMemberThread m = new GroupMemberThread(member("inspector"), "inspected", processed);
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> total(processed) >= 600);
      Set<String> listed =
          admin.listConsumerGroups().all().get().stream()
              .map(ConsumerGroupListing::groupId)
              .collect(Collectors.toSet());
      assertTrue(listed.contains("inspector"));
      assertTrue(listed.contains("$Default"), "$Default exists on every topic");
      ConsumerGroupDescription description =
          admin.describeConsumerGroups(List.of("inspector")).all().get().get("inspector");
      assertEquals(GroupState.STABLE, description.groupState());
      assertEquals(1, description.members().size());
      assertEquals(
          3, description.members().iterator().next().assignment().topicPartitions().size());
      ExecutionException busy =
          assertThrows(
              ExecutionException.class,
              () -> admin.deleteConsumerGroups(List.of("inspector")).all().get());
      assertInstanceOf(GroupNotEmptyException.class, busy.getCause());
    } finally {
      m.stop(true);
    }
    produce("inspected", 150);
    Map<TopicPartition, OffsetAndMetadata> committed =
        admin.listConsumerGroupOffsets("inspector").partitionsToOffsetAndMetadata().get();
    Map<TopicPartition, Long> ends = endOffsets("inspected");
    long lag =
        ends.entrySet().stream()
            .mapToLong(e -> e.getValue() - committed.get(e.getKey()).offset())
            .sum();
    assertEquals(150, lag, "lag = log end offset - committed offset");

    assertEquals(
        GroupState.EMPTY,
        admin
            .describeConsumerGroups(List.of("inspector"))
            .all()
            .get()
            .get("inspector")
            .groupState());
    admin.deleteConsumerGroups(List.of("inspector")).all().get();
    assertTrue(
        admin
            .listConsumerGroupOffsets("inspector")
            .partitionsToOffsetAndMetadata()
            .get()
            .isEmpty());
    assertFalse(
        admin.listConsumerGroups().all().get().stream()
            .anyMatch(g -> g.groupId().equals("inspector")));
  }
}
