package io.flod.broker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flod.broker.auth.AccessControl;
import io.flod.broker.auth.Principal;
import io.flod.broker.auth.Right;
import io.flod.broker.auth.SasAuthenticator;
import io.flod.broker.auth.SasRule;
import io.flod.broker.auth.SasRuleBook;
import io.flod.broker.metadata.LocalTopicRegistry;
import io.flod.broker.metadata.TopicMetadata;
import io.flod.broker.support.InProcessBroker;
import io.flod.broker.support.RawKafkaClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.*;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every Kafka API the broker serves, against every kind of SAS principal: a namespace-wide rule,
 * and rules confined to the topic the request names ("mine") or to another topic ("other"), each
 * with send, listen or manage. The APIs come from the broker's own ApiVersions answer, so a new API
 * without an entry here fails the test; the expected answer of each cell follows from the entry's
 * requirement (which right, on the named topic, the group's topics, somewhere, or the cluster).
 */
class KafkaAuthorizationMatrixIT {
  @TempDir Path dir;

  /** What an API needs of a principal. */
  private enum Needs {
    /** any current credential (ApiVersions, Metadata, which is filtered afterwards) */
    CREDENTIAL,
    /** the right on topic "mine" (or on every topic of group "g-mine", which uses "mine") */
    ON_MINE,
    /** the right on any topic: requests that name none */
    SOMEWHERE,
    /** any right on topic "mine": who may see a topic may read its configs */
    SEE_MINE,
    /** handled by the connection before any authorization (SASL itself) */
    CONNECTION
  }

  private record Entry(Needs needs, Right right, short version, Supplier<ApiMessage> data) {}

  private static final String MINE = "mine";
  private static final String GROUP = "g-mine";

  private static Map<ApiKeys, Entry> matrix() {
    Map<ApiKeys, Entry> m = new EnumMap<>(ApiKeys.class);
    m.put(
        ApiKeys.API_VERSIONS,
        new Entry(Needs.CREDENTIAL, null, (short) 3, ApiVersionsRequestData::new));
    m.put(
        ApiKeys.METADATA,
        new Entry(
            Needs.CREDENTIAL,
            null,
            (short) 12,
            () ->
                new MetadataRequestData()
                    .setTopics(
                        List.of(new MetadataRequestData.MetadataRequestTopic().setName(MINE)))));
    m.put(
        ApiKeys.DESCRIBE_CLUSTER,
        new Entry(Needs.CREDENTIAL, null, (short) 1, DescribeClusterRequestData::new));
    m.put(
        ApiKeys.SASL_HANDSHAKE,
        new Entry(Needs.CONNECTION, null, (short) 1, SaslHandshakeRequestData::new));
    m.put(
        ApiKeys.SASL_AUTHENTICATE,
        new Entry(Needs.CONNECTION, null, (short) 2, SaslAuthenticateRequestData::new));
    m.put(
        ApiKeys.PRODUCE,
        new Entry(
            Needs.ON_MINE,
            Right.SEND,
            (short) 9,
            () -> {
              ProduceRequestData.TopicProduceDataCollection topics =
                  new ProduceRequestData.TopicProduceDataCollection();
              topics.add(
                  new ProduceRequestData.TopicProduceData()
                      .setName(MINE)
                      .setPartitionData(
                          List.of(new ProduceRequestData.PartitionProduceData().setIndex(0))));
              return new ProduceRequestData()
                  .setAcks((short) 1)
                  .setTimeoutMs(1000)
                  .setTopicData(topics);
            }));
    m.put(
        ApiKeys.INIT_PRODUCER_ID,
        new Entry(
            Needs.SOMEWHERE,
            Right.SEND,
            (short) 4,
            () -> new InitProducerIdRequestData().setTransactionTimeoutMs(1000)));
    m.put(
        ApiKeys.FETCH,
        new Entry(
            Needs.ON_MINE,
            Right.LISTEN,
            (short) 12,
            () ->
                new FetchRequestData()
                    .setReplicaId(-1)
                    .setTopics(
                        List.of(
                            new FetchRequestData.FetchTopic()
                                .setTopic(MINE)
                                .setPartitions(List.of(new FetchRequestData.FetchPartition()))))));
    m.put(
        ApiKeys.LIST_OFFSETS,
        new Entry(
            Needs.ON_MINE,
            Right.LISTEN,
            (short) 7,
            () ->
                new ListOffsetsRequestData()
                    .setReplicaId(-1)
                    .setTopics(
                        List.of(
                            new ListOffsetsRequestData.ListOffsetsTopic()
                                .setName(MINE)
                                .setPartitions(
                                    List.of(new ListOffsetsRequestData.ListOffsetsPartition()))))));
    m.put(
        ApiKeys.OFFSET_FOR_LEADER_EPOCH,
        new Entry(
            Needs.ON_MINE,
            Right.LISTEN,
            (short) 4,
            () -> {
              OffsetForLeaderEpochRequestData.OffsetForLeaderTopicCollection topics =
                  new OffsetForLeaderEpochRequestData.OffsetForLeaderTopicCollection();
              topics.add(new OffsetForLeaderEpochRequestData.OffsetForLeaderTopic().setTopic(MINE));
              return new OffsetForLeaderEpochRequestData().setReplicaId(-1).setTopics(topics);
            }));
    m.put(
        ApiKeys.OFFSET_COMMIT,
        new Entry(
            Needs.ON_MINE,
            Right.LISTEN,
            (short) 8,
            () ->
                new OffsetCommitRequestData()
                    .setGroupId(GROUP)
                    .setTopics(
                        List.of(
                            new OffsetCommitRequestData.OffsetCommitRequestTopic()
                                .setName(MINE)
                                .setPartitions(
                                    List.of(
                                        new OffsetCommitRequestData
                                            .OffsetCommitRequestPartition()))))));
    m.put(
        ApiKeys.OFFSET_FETCH,
        new Entry(
            Needs.ON_MINE,
            Right.LISTEN,
            (short) 8,
            () ->
                new OffsetFetchRequestData()
                    .setGroups(
                        List.of(
                            new OffsetFetchRequestData.OffsetFetchRequestGroup()
                                .setGroupId(GROUP)
                                .setTopics(null)))));
    m.put(
        ApiKeys.FIND_COORDINATOR,
        new Entry(
            Needs.SOMEWHERE,
            Right.LISTEN,
            (short) 4,
            () -> new FindCoordinatorRequestData().setCoordinatorKeys(List.of(GROUP))));
    m.put(
        ApiKeys.JOIN_GROUP,
        new Entry(
            Needs.ON_MINE,
            Right.LISTEN,
            (short) 9,
            () -> {
              JoinGroupRequestData.JoinGroupRequestProtocolCollection protocols =
                  new JoinGroupRequestData.JoinGroupRequestProtocolCollection();
              protocols.add(
                  new JoinGroupRequestData.JoinGroupRequestProtocol()
                      .setName("range")
                      .setMetadata(
                          org.apache.kafka.common.utils.Utils.toArray(
                              ConsumerProtocol.serializeSubscription(
                                  new ConsumerPartitionAssignor.Subscription(List.of(MINE))))));
              return new JoinGroupRequestData()
                  .setGroupId("g-new")
                  .setProtocolType("consumer")
                  .setSessionTimeoutMs(10_000)
                  .setRebalanceTimeoutMs(10_000)
                  .setMemberId("")
                  .setProtocols(protocols);
            }));
    m.put(
        ApiKeys.SYNC_GROUP,
        new Entry(
            Needs.ON_MINE,
            Right.LISTEN,
            (short) 5,
            () -> new SyncGroupRequestData().setGroupId(GROUP).setMemberId("m")));
    m.put(
        ApiKeys.HEARTBEAT,
        new Entry(
            Needs.ON_MINE,
            Right.LISTEN,
            (short) 4,
            () -> new HeartbeatRequestData().setGroupId(GROUP).setMemberId("m")));
    m.put(
        ApiKeys.LEAVE_GROUP,
        new Entry(
            Needs.ON_MINE,
            Right.LISTEN,
            (short) 5,
            () ->
                new LeaveGroupRequestData()
                    .setGroupId(GROUP)
                    .setMembers(
                        List.of(new LeaveGroupRequestData.MemberIdentity().setMemberId("m")))));
    m.put(
        ApiKeys.LIST_GROUPS,
        new Entry(Needs.SOMEWHERE, Right.LISTEN, (short) 4, ListGroupsRequestData::new));
    m.put(
        ApiKeys.DESCRIBE_GROUPS,
        new Entry(
            Needs.SOMEWHERE,
            Right.LISTEN,
            (short) 5,
            () -> new DescribeGroupsRequestData().setGroups(List.of(GROUP))));
    m.put(
        ApiKeys.DELETE_GROUPS,
        new Entry(
            Needs.ON_MINE,
            Right.MANAGE,
            (short) 2,
            () -> new DeleteGroupsRequestData().setGroupsNames(List.of(GROUP))));
    m.put(
        ApiKeys.OFFSET_DELETE,
        new Entry(
            Needs.ON_MINE,
            Right.MANAGE,
            (short) 0,
            () -> {
              OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection topics =
                  new OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection();
              topics.add(new OffsetDeleteRequestData.OffsetDeleteRequestTopic().setName(MINE));
              return new OffsetDeleteRequestData().setGroupId(GROUP).setTopics(topics);
            }));
    m.put(
        ApiKeys.CREATE_TOPICS,
        new Entry(
            Needs.ON_MINE,
            Right.MANAGE,
            (short) 7,
            () -> {
              CreateTopicsRequestData.CreatableTopicCollection topics =
                  new CreateTopicsRequestData.CreatableTopicCollection();
              topics.add(
                  new CreateTopicsRequestData.CreatableTopic()
                      .setName(MINE)
                      .setNumPartitions(1)
                      .setReplicationFactor((short) 1));
              return new CreateTopicsRequestData().setTopics(topics);
            }));
    m.put(
        ApiKeys.DELETE_TOPICS,
        new Entry(
            Needs.ON_MINE,
            Right.MANAGE,
            (short) 6,
            () ->
                new DeleteTopicsRequestData()
                    .setTopics(
                        List.of(new DeleteTopicsRequestData.DeleteTopicState().setName(MINE)))));
    m.put(
        ApiKeys.CREATE_PARTITIONS,
        new Entry(
            Needs.ON_MINE,
            Right.MANAGE,
            (short) 3,
            () -> {
              CreatePartitionsRequestData.CreatePartitionsTopicCollection topics =
                  new CreatePartitionsRequestData.CreatePartitionsTopicCollection();
              topics.add(
                  new CreatePartitionsRequestData.CreatePartitionsTopic()
                      .setName(MINE)
                      .setCount(2));
              return new CreatePartitionsRequestData().setTopics(topics);
            }));
    m.put(
        ApiKeys.DESCRIBE_CONFIGS,
        new Entry(
            Needs.SEE_MINE,
            Right.MANAGE,
            (short) 4,
            () ->
                new DescribeConfigsRequestData()
                    .setResources(
                        List.of(
                            new DescribeConfigsRequestData.DescribeConfigsResource()
                                .setResourceType((byte) 2)
                                .setResourceName(MINE)))));
    m.put(
        ApiKeys.INCREMENTAL_ALTER_CONFIGS,
        new Entry(
            Needs.ON_MINE,
            Right.MANAGE,
            (short) 1,
            () -> {
              IncrementalAlterConfigsRequestData.AlterConfigsResourceCollection resources =
                  new IncrementalAlterConfigsRequestData.AlterConfigsResourceCollection();
              resources.add(
                  new IncrementalAlterConfigsRequestData.AlterConfigsResource()
                      .setResourceType((byte) 2)
                      .setResourceName(MINE));
              return new IncrementalAlterConfigsRequestData().setResources(resources);
            }));
    return m;
  }

  @Test
  void everyApiTheBrokerServesAnswersEachPrincipalAsItsRightsSay() throws Exception {
    Set<ApiKeys> served = new TreeSet<>();
    try (InProcessBroker broker = InProcessBroker.start(dir.resolve("broker"));
        RawKafkaClient raw = new RawKafkaClient(broker.bootstrapServers())) {
      ApiVersionsResponse versions = raw.send(new ApiVersionsRequest.Builder().build((short) 3));
      versions.data().apiKeys().forEach(k -> served.add(ApiKeys.forId(k.apiKey())));
    }
    // A standalone broker has no SASL; a cluster broker with sasl.enabled adds these two.
    served.add(ApiKeys.SASL_HANDSHAKE);
    served.add(ApiKeys.SASL_AUTHENTICATE);
    Map<ApiKeys, Entry> matrix = matrix();
    Set<ApiKeys> missing = new TreeSet<>(served);
    missing.removeAll(matrix.keySet());
    assertEquals(Set.of(), missing, "APIs the broker serves with no entry in the matrix");

    SasRuleBook book = new SasRuleBook();
    List<SasRule> rules = new ArrayList<>();
    rules.add(
        new SasRule("ns", null, Set.of(Right.SEND, Right.LISTEN, Right.MANAGE), "ns-1", "ns-2"));
    for (String topic : List.of(MINE, "other")) {
      for (Right right : Right.values()) {
        String name = topic + "-" + right.name().toLowerCase();
        rules.add(new SasRule(name, topic, Set.of(right), name + "-1", name + "-2"));
      }
    }
    book.replace(SasRuleBook.of(rules, "broker-secret"));
    SasAuthenticator authenticator =
        new SasAuthenticator(book, Clock.systemUTC(), new SimpleMeterRegistry());
    LocalTopicRegistry topics = new LocalTopicRegistry(dir.resolve("meta"));
    for (String topic : List.of(MINE, "other")) {
      topics.create(new TopicMetadata(topic, Uuid.randomUuid(), 1, (short) 1, Map.of()));
    }
    AccessControl access =
        new AccessControl(
            authenticator, topics, group -> GROUP.equals(group) ? Set.of(MINE) : Set.of());

    Map<String, Principal> principals = new LinkedHashMap<>();
    principals.put("ns", login(authenticator, "ns", null));
    for (String topic : List.of(MINE, "other")) {
      for (Right right : Right.values()) {
        String name = topic + "-" + right.name().toLowerCase();
        principals.put(name, login(authenticator, name, topic));
      }
    }

    List<String> unexpected = new ArrayList<>();
    int cells = 0;
    for (ApiKeys api : served) {
      Entry entry = matrix.get(api);
      if (entry.needs() == Needs.CONNECTION) {
        continue; // answered by the connection itself, before any principal exists
      }
      ApiMessage data = entry.data().get();
      AbstractRequest request =
          AbstractRequest.parseRequest(
                  api, entry.version(), MessageUtil.toByteBufferAccessor(data, entry.version()))
              .request;
      for (Map.Entry<String, Principal> p : principals.entrySet()) {
        cells++;
        boolean allowed = access.check(p.getValue(), api, request) == null;
        boolean expected = expected(entry, p.getKey());
        if (allowed != expected) {
          unexpected.add(api + " as " + p.getKey() + ": " + (allowed ? "allowed" : "refused"));
        }
      }
    }
    System.out.printf(
        "MEASURED Kafka authorization matrix: %d APIs x %d principals = %d cells, %d unexpected%n",
        served.size(), principals.size(), cells, unexpected.size());
    assertTrue(cells > 100, "cells: " + cells);
    assertEquals(List.of(), unexpected);
  }

  /**
   * What the rule named {@code principal} ("ns", or "<topic>-<right>") may do under {@code entry}.
   */
  private static boolean expected(Entry entry, String principal) {
    if (principal.equals("ns")) {
      return true;
    }
    String topic = principal.substring(0, principal.lastIndexOf('-'));
    Right held = Right.valueOf(principal.substring(principal.lastIndexOf('-') + 1).toUpperCase());
    boolean holds = held == entry.right() || held == Right.MANAGE;
    return switch (entry.needs()) {
      case CREDENTIAL -> true;
      case ON_MINE -> topic.equals(MINE) && holds;
      case SOMEWHERE -> holds;
      case SEE_MINE -> topic.equals(MINE);
      case CONNECTION -> throw new IllegalStateException();
    };
  }

  private static Principal login(SasAuthenticator authenticator, String rule, String topic)
      throws Exception {
    return authenticator.authenticate(
        SasAuthenticator.CONNECTION_STRING_USER,
        "Endpoint=sb://ns.test.flod/;SharedAccessKeyName="
            + rule
            + ";SharedAccessKey="
            + rule
            + "-1"
            + (topic == null ? "" : ";EntityPath=" + topic));
  }
}
