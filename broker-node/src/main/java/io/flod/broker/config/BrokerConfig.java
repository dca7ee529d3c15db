package io.flod.broker.config;

import static org.apache.kafka.common.config.ConfigDef.Importance.HIGH;
import static org.apache.kafka.common.config.ConfigDef.Importance.LOW;
import static org.apache.kafka.common.config.ConfigDef.Importance.MEDIUM;
import static org.apache.kafka.common.config.ConfigDef.Range.atLeast;
import static org.apache.kafka.common.config.ConfigDef.Range.between;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;

/**
 * Broker settings, each declared once here with its type, default, validation and doc (Kafka's
 * {@link ConfigDef} does the parsing). Sources, later ones winning: defaults, {@code FLOD_*}
 * environment variables ({@code FLOD_LOG_SEGMENT_BYTES} sets {@code log.segment.bytes}), then
 * {@code --config key=value} on the command line. Invalid values stop the broker at start-up. Names
 * follow Kafka's broker configs so that operators find what they know.
 */
public final class BrokerConfig extends AbstractConfig {
  public static final String NODE_ID = "node.id";
  public static final String NUM_IO_THREADS = "num.io.threads";
  public static final String SOCKET_REQUEST_MAX_BYTES = "socket.request.max.bytes";
  public static final String QUEUED_MAX_REQUESTS_PER_CONNECTION =
      "queued.max.requests.per.connection";
  public static final String SASL_SERVER_MAX_RECEIVE_SIZE = "sasl.server.max.receive.size";
  public static final String MAX_CONNECTIONS = "max.connections";
  public static final String MAX_CONNECTIONS_PER_IP = "max.connections.per.ip";
  public static final String CONNECTIONS_MAX_IDLE_MS = "connections.max.idle.ms";
  public static final String PRODUCER_ID_EXPIRATION_MS = "producer.id.expiration.ms";
  public static final String PRODUCER_ID_EXPIRATION_CHECK_INTERVAL_MS =
      "producer.id.expiration.check.interval.ms";
  public static final String AUTO_CREATE_TOPICS_ENABLE = "auto.create.topics.enable";
  public static final String NUM_PARTITIONS = "num.partitions";
  public static final String MAX_PARTITIONS_PER_TOPIC = "max.partitions.per.topic";
  public static final String DEFAULT_REPLICATION_FACTOR = "default.replication.factor";
  public static final String LOG_SEGMENT_BYTES = "log.segment.bytes";
  public static final String LOG_ROLL_MS = "log.roll.ms";
  public static final String LOG_RETENTION_MS = "log.retention.ms";
  public static final String LOG_RETENTION_BYTES = "log.retention.bytes";
  public static final String MESSAGE_MAX_BYTES = "message.max.bytes";
  public static final String LOG_INDEX_INTERVAL_BYTES = "log.index.interval.bytes";
  public static final String LOG_INDEX_SIZE_MAX_BYTES = "log.index.size.max.bytes";
  public static final String LOG_FLUSH_INTERVAL_MESSAGES = "log.flush.interval.messages";
  public static final String LOG_FLUSH_INTERVAL_MS = "log.flush.interval.ms";
  public static final String LOG_MESSAGE_TIMESTAMP_TYPE = "log.message.timestamp.type";
  public static final String LOG_SEGMENT_DELETE_DELAY_MS = "log.segment.delete.delay.ms";
  public static final String MIN_INSYNC_REPLICAS = "min.insync.replicas";
  public static final String UNCLEAN_LEADER_ELECTION_ENABLE = "unclean.leader.election.enable";
  public static final String REPLICA_LAG_TIME_MAX_MS = "replica.lag.time.max.ms";
  public static final String REPLICA_FETCH_MAX_BYTES = "replica.fetch.max.bytes";
  public static final String REPLICA_FETCH_WAIT_MAX_MS = "replica.fetch.wait.max.ms";
  public static final String ZOOKEEPER_SESSION_TIMEOUT_MS = "zookeeper.session.timeout.ms";
  public static final String SASL_ENABLED = "sasl.enabled";
  public static final String SAS_RULES_KEY = "sas.rules.key";
  public static final String ZOOKEEPER_SASL_USERNAME = "zookeeper.sasl.username";
  public static final String ZOOKEEPER_SASL_PASSWORD = "zookeeper.sasl.password";
  public static final String THROUGHPUT_UNITS = "throughput.units";
  public static final String HTTPS_PORT = "https.port";
  public static final String LISTEN_PORT_FALLBACK = "listen.port.fallback";
  public static final String HTTPS_MAX_MESSAGE_BYTES = "https.max.message.bytes";
  public static final String SSL_CERTIFICATE_LOCATION = "ssl.certificate.location";
  public static final String SSL_KEY_LOCATION = "ssl.key.location";
  public static final String REPLICA_MOVE_THROTTLE_BYTES_PER_SEC =
      "replica.move.throttle.bytes.per.sec";
  public static final String LOG_RETENTION_CHECK_INTERVAL_MS = "log.retention.check.interval.ms";
  public static final String LOG_FLUSH_SCHEDULER_INTERVAL_MS = "log.flush.scheduler.interval.ms";
  public static final String RECOVERY_POINT_CHECKPOINT_INTERVAL_MS =
      "log.flush.offset.checkpoint.interval.ms";
  public static final String FETCH_MAX_WAIT_CAP_MS = "fetch.max.wait.cap.ms";
  public static final String LOG_CLEANER_BACKOFF_MS = "log.cleaner.backoff.ms";
  public static final String LOG_CLEANER_DELETE_RETENTION_MS = "log.cleaner.delete.retention.ms";
  public static final String LOG_CLEANER_DEDUPE_BUFFER_SIZE = "log.cleaner.dedupe.buffer.size";
  public static final String GROUP_MIN_SESSION_TIMEOUT_MS = "group.min.session.timeout.ms";
  public static final String GROUP_MAX_SESSION_TIMEOUT_MS = "group.max.session.timeout.ms";
  public static final String GROUP_INITIAL_REBALANCE_DELAY_MS = "group.initial.rebalance.delay.ms";
  public static final String GROUP_MAX_SIZE = "group.max.size";
  public static final String GROUP_ID_MAX_LENGTH = "group.id.max.length";
  public static final String CONSUMER_GROUPS_PER_TOPIC_MAX = "consumer.groups.per.topic.max";
  public static final String OFFSET_METADATA_MAX_BYTES = "offset.metadata.max.bytes";
  public static final String OFFSETS_RETENTION_MINUTES = "offsets.retention.minutes";
  public static final String OFFSETS_RETENTION_CHECK_INTERVAL_MS =
      "offsets.retention.check.interval.ms";
  public static final String OFFSETS_TOPIC_NUM_PARTITIONS = "offsets.topic.num.partitions";
  public static final String OFFSETS_TOPIC_SEGMENT_BYTES = "offsets.topic.segment.bytes";
  public static final String OFFSETS_TOPIC_REPLICATION_FACTOR = "offsets.topic.replication.factor";

  public static final ConfigDef DEFINITION =
      new ConfigDef()
          .define(NODE_ID, Type.INT, 0, atLeast(0), HIGH, "This broker's id in its cluster.")
          .define(
              NUM_IO_THREADS,
              Type.INT,
              8,
              atLeast(1),
              MEDIUM,
              "Threads that handle requests off the network event loop (disk I/O happens here).")
          .define(
              SOCKET_REQUEST_MAX_BYTES,
              Type.INT,
              100 * 1024 * 1024,
              atLeast(1024),
              MEDIUM,
              "Largest request frame accepted; a larger size prefix closes the connection.")
          .define(
              QUEUED_MAX_REQUESTS_PER_CONNECTION,
              Type.INT,
              16,
              atLeast(1),
              LOW,
              "Requests read ahead on one connection before the broker stops reading from it.")
          .define(
              SASL_SERVER_MAX_RECEIVE_SIZE,
              Type.INT,
              512 * 1024,
              atLeast(1024),
              MEDIUM,
              "SASL listeners: largest frame accepted before the client authenticated; a larger"
                  + " size prefix closes the connection before anything is buffered.")
          .define(
              MAX_CONNECTIONS,
              Type.INT,
              10_000,
              atLeast(1),
              MEDIUM,
              "Connections the Kafka listener holds at once; more are closed as they are accepted.")
          .define(
              MAX_CONNECTIONS_PER_IP,
              Type.INT,
              1_000,
              atLeast(1),
              MEDIUM,
              "Connections one client address holds at once on the Kafka listener; more are closed"
                  + " as they are accepted.")
          .define(
              CONNECTIONS_MAX_IDLE_MS,
              Type.LONG,
              600_000L,
              atLeast(1),
              MEDIUM,
              "A Kafka connection with nothing read or written for this long is closed.")
          .define(
              PRODUCER_ID_EXPIRATION_MS,
              Type.LONG,
              86_400_000L,
              atLeast(1),
              MEDIUM,
              "An idempotent producer id that appended nothing to a partition for this long is"
                  + " forgotten there, so that clients cycling producer ids cannot grow memory"
                  + " without bound.")
          .define(
              PRODUCER_ID_EXPIRATION_CHECK_INTERVAL_MS,
              Type.LONG,
              600_000L,
              atLeast(1),
              LOW,
              "How often idle producer ids are looked for.")
          .define(
              AUTO_CREATE_TOPICS_ENABLE,
              Type.BOOLEAN,
              false,
              MEDIUM,
              "Create a topic when a client asks for metadata of a topic that does not exist.")
          .define(NUM_PARTITIONS, Type.INT, 1, atLeast(1), MEDIUM, "Partitions of a new topic.")
          .define(
              MAX_PARTITIONS_PER_TOPIC,
              Type.INT,
              1024,
              atLeast(1),
              MEDIUM,
              "Most partitions a topic may have, so that one request cannot fill the disk with logs.")
          .define(
              DEFAULT_REPLICATION_FACTOR,
              Type.SHORT,
              (short) 1,
              atLeast(1),
              MEDIUM,
              "Replicas of a new topic's partitions.")
          .define(
              LOG_SEGMENT_BYTES,
              Type.INT,
              1 << 30,
              atLeast(1024),
              HIGH,
              "Default segment.bytes: a segment rolls when it would grow past this size.")
          .define(
              LOG_ROLL_MS,
              Type.LONG,
              7L * 24 * 3600 * 1000,
              atLeast(1),
              MEDIUM,
              "Default segment.ms: a segment rolls when its first record is older than this.")
          .define(
              LOG_RETENTION_MS,
              Type.LONG,
              7L * 24 * 3600 * 1000,
              atLeast(-1),
              HIGH,
              "Default retention.ms: segments whose newest record is older are deleted; -1 keeps"
                  + " forever.")
          .define(
              LOG_RETENTION_BYTES,
              Type.LONG,
              -1L,
              atLeast(-1),
              HIGH,
              "Default retention.bytes per partition; -1 means no size limit.")
          .define(
              MESSAGE_MAX_BYTES,
              Type.INT,
              1 << 20,
              atLeast(0),
              HIGH,
              "Default max.message.bytes: the largest record batch a topic accepts.")
          .define(
              LOG_INDEX_INTERVAL_BYTES,
              Type.INT,
              4096,
              atLeast(0),
              LOW,
              "Default index.interval.bytes: bytes between offset index entries.")
          .define(
              LOG_INDEX_SIZE_MAX_BYTES,
              Type.INT,
              10 * 1024 * 1024,
              atLeast(64),
              LOW,
              "Default segment.index.bytes: the size an index may reach before the segment rolls.")
          .define(
              LOG_FLUSH_INTERVAL_MESSAGES,
              Type.LONG,
              Long.MAX_VALUE,
              atLeast(1),
              HIGH,
              "Default flush.messages: fsync after this many records (1 = before every"
                  + " acknowledgement, surviving power loss); the default leaves it to the OS.")
          .define(
              LOG_FLUSH_INTERVAL_MS,
              Type.LONG,
              Long.MAX_VALUE,
              atLeast(0),
              HIGH,
              "Default flush.ms: fsync at least this often; the default leaves it to the OS.")
          .define(
              LOG_MESSAGE_TIMESTAMP_TYPE,
              Type.STRING,
              "CreateTime",
              ValidString.in("CreateTime", "LogAppendTime"),
              MEDIUM,
              "Default message.timestamp.type.")
          .define(
              LOG_SEGMENT_DELETE_DELAY_MS,
              Type.LONG,
              60_000L,
              atLeast(0),
              LOW,
              "Default file.delete.delay.ms: how long a deleted segment's files stay for readers.")
          .define(
              MIN_INSYNC_REPLICAS,
              Type.INT,
              1,
              atLeast(1),
              HIGH,
              "Default min.insync.replicas for acks=all.")
          .define(
              UNCLEAN_LEADER_ELECTION_ENABLE,
              Type.BOOLEAN,
              false,
              HIGH,
              "Default unclean.leader.election.enable: whether a replica outside the in-sync set"
                  + " may become leader when no in-sync replica is alive (availability over"
                  + " acknowledged data).")
          .define(
              REPLICA_LAG_TIME_MAX_MS,
              Type.LONG,
              10_000L,
              atLeast(100),
              HIGH,
              "Cluster mode: a follower that has not caught up to the leader's log end for this"
                  + " long leaves the in-sync replicas.")
          .define(
              REPLICA_FETCH_MAX_BYTES,
              Type.INT,
              1 << 20,
              atLeast(1024),
              MEDIUM,
              "Cluster mode: bytes a follower asks for per partition in one fetch.")
          .define(
              REPLICA_FETCH_WAIT_MAX_MS,
              Type.INT,
              500,
              atLeast(0),
              MEDIUM,
              "Cluster mode: how long a follower's fetch waits at the leader for new data.")
          .define(
              REPLICA_MOVE_THROTTLE_BYTES_PER_SEC,
              Type.LONG,
              50L * 1024 * 1024,
              atLeast(0),
              MEDIUM,
              "Cluster mode: bytes per second this broker, as leader, sends to replicas that a"
                  + " move (scale-out, drain) is adding, across all partitions; 0 is unthrottled."
                  + " Keeps producers' latency while data moves; in-sync followers and replicas"
                  + " catching up after a restart are never throttled.")
          .define(
              THROUGHPUT_UNITS,
              Type.INT,
              0,
              atLeast(0),
              MEDIUM,
              "Ingress quota of the cluster in Event Hubs throughput units (1 MB/s or 1,000"
                  + " events/s each, shared by the live brokers); over-quota produce requests are"
                  + " answered with throttle_time_ms and the connection waits that long. 0: no"
                  + " quota. In cluster mode the value the control plane publishes wins and"
                  + " changes take effect within seconds.")
          .define(
              HTTPS_PORT,
              Type.INT,
              -1,
              between(-1, 65_535),
              MEDIUM,
              "Port of the HTTPS publishing head (POST /<topic>/messages, as Event Hubs' REST"
                  + " API); 0 picks a free port, -1 turns it off. TLS with the configured"
                  + " certificate; without one it serves plain HTTP (local development only).")
          .define(
              LISTEN_PORT_FALLBACK,
              Type.BOOLEAN,
              false,
              MEDIUM,
              "When the Kafka listen port or https.port is taken by another process, listen on a"
                  + " free port instead of failing; the ports actually bound are what the broker"
                  + " advertises (Metadata, its Helix instance) and writes to <data-dir>/"
                  + "listeners.properties. Node agents turn this on.")
          .define(
              HTTPS_MAX_MESSAGE_BYTES,
              Type.INT,
              256 * 1024,
              between(1024, 1024 * 1024),
              MEDIUM,
              "Largest event or batch the HTTPS head accepts, in bytes of request body (Event"
                  + " Hubs Basic: 256 KB); larger ones are answered 413. At most 1 MiB.")
          .define(
              SSL_CERTIFICATE_LOCATION,
              Type.STRING,
              null,
              HIGH,
              "PEM file with the certificate chain the Kafka listener (SSL, or SASL_SSL with"
                  + " sasl.enabled) and the HTTPS head present. Unset: both listen in clear.")
          .define(
              SSL_KEY_LOCATION,
              Type.STRING,
              null,
              HIGH,
              "PEM file with the certificate's private key (PKCS#8, unencrypted).")
          .define(
              SASL_ENABLED,
              Type.BOOLEAN,
              false,
              HIGH,
              "Cluster mode: clients must authenticate with SASL/PLAIN as Event Hubs has it (user"
                  + " $ConnectionString, password a connection string or a SAS token), checked"
                  + " against the cluster's SAS rules in ZooKeeper; each request is authorized by"
                  + " the rule's rights. Off: anyone may connect (local development).")
          .define(
              SAS_RULES_KEY,
              Type.PASSWORD,
              null,
              HIGH,
              "With sasl.enabled: the cluster's key (base64, 32 bytes) that the SAS rules in"
                  + " ZooKeeper are sealed with; only this cluster's machines and the control"
                  + " plane hold it. Pass it as FLOD_SAS_RULES_KEY rather than on a command line.")
          .define(
              ZOOKEEPER_SASL_USERNAME,
              Type.STRING,
              null,
              HIGH,
              "Cluster mode: the identity this broker's ZooKeeper sessions log in with (SASL"
                  + " DIGEST-MD5): the cluster's own, which reaches only the cluster's root in"
                  + " ZooKeeper. Unset: sessions are anonymous (a ZooKeeper without Flod's fence).")
          .define(
              ZOOKEEPER_SASL_PASSWORD,
              Type.PASSWORD,
              null,
              HIGH,
              "With zookeeper.sasl.username: its password, issued by the control plane. Pass it"
                  + " as FLOD_ZOOKEEPER_SASL_PASSWORD rather than on a command line.")
          .define(
              ZOOKEEPER_SESSION_TIMEOUT_MS,
              Type.INT,
              6_000,
              atLeast(2_000),
              HIGH,
              "Cluster mode: ZooKeeper session timeout. A crashed broker loses leadership after"
                  + " about this long; shorter means faster failover but a GC pause or network"
                  + " hiccup of this length also costs leadership. The ZooKeeper server bounds it"
                  + " to 2-20 ticks.")
          .define(
              LOG_RETENTION_CHECK_INTERVAL_MS,
              Type.LONG,
              300_000L,
              atLeast(1),
              LOW,
              "How often retention is applied.")
          .define(
              LOG_FLUSH_SCHEDULER_INTERVAL_MS,
              Type.LONG,
              1000L,
              atLeast(1),
              LOW,
              "How often logs are checked against flush.ms.")
          .define(
              RECOVERY_POINT_CHECKPOINT_INTERVAL_MS,
              Type.LONG,
              60_000L,
              atLeast(1),
              LOW,
              "How often recovery points are written; crash recovery rescans from them.")
          .define(
              FETCH_MAX_WAIT_CAP_MS,
              Type.INT,
              30_000,
              between(0, 300_000),
              LOW,
              "Upper bound on a fetch's max.wait.ms, so a client cannot park requests for hours.")
          .define(
              LOG_CLEANER_BACKOFF_MS,
              Type.LONG,
              15_000L,
              atLeast(1),
              LOW,
              "How often compacted topics (cleanup.policy=compact) are checked for sealed segments to compact.")
          .define(
              LOG_CLEANER_DELETE_RETENTION_MS,
              Type.LONG,
              24L * 3600 * 1000,
              atLeast(0),
              MEDIUM,
              "Default delete.retention.ms: how long compaction keeps a tombstone (a key with a"
                  + " null value) after its first pass over it, so that a replica or consumer away"
                  + " for less than this still reads the deletion.")
          .define(
              LOG_CLEANER_DEDUPE_BUFFER_SIZE,
              Type.INT,
              32 * 1024 * 1024,
              atLeast(1024),
              MEDIUM,
              "Memory of compaction's key map (24 bytes a key, 90% usable): a pass cleans as many"
                  + " keys as fit and the next pass goes on from there.")
          .define(
              GROUP_MIN_SESSION_TIMEOUT_MS,
              Type.INT,
              6000,
              atLeast(0),
              MEDIUM,
              "Smallest session.timeout.ms a consumer may ask for.")
          .define(
              GROUP_MAX_SESSION_TIMEOUT_MS,
              Type.INT,
              1_800_000,
              atLeast(0),
              MEDIUM,
              "Largest session.timeout.ms a consumer may ask for.")
          .define(
              GROUP_INITIAL_REBALANCE_DELAY_MS,
              Type.INT,
              3000,
              atLeast(0),
              MEDIUM,
              "How long the first rebalance of an empty group waits for more members to join.")
          .define(
              GROUP_MAX_SIZE,
              Type.INT,
              Integer.MAX_VALUE,
              atLeast(1),
              MEDIUM,
              "Most members a consumer group may have.")
          .define(
              GROUP_ID_MAX_LENGTH,
              Type.INT,
              255,
              atLeast(1),
              LOW,
              "Longest group id accepted, in characters.")
          .define(
              CONSUMER_GROUPS_PER_TOPIC_MAX,
              Type.INT,
              20,
              atLeast(1),
              HIGH,
              "Consumer groups that may read one topic, $Default included (Event Hubs Standard: 20).")
          .define(
              OFFSET_METADATA_MAX_BYTES,
              Type.INT,
              1024,
              atLeast(0),
              MEDIUM,
              "Largest metadata string a consumer may commit with an offset.")
          .define(
              OFFSETS_RETENTION_MINUTES,
              Type.INT,
              7 * 24 * 60,
              atLeast(1),
              HIGH,
              "How long the committed offsets of an empty group are kept.")
          .define(
              OFFSETS_RETENTION_CHECK_INTERVAL_MS,
              Type.LONG,
              600_000L,
              atLeast(1),
              LOW,
              "How often expired offsets are removed.")
          .define(
              OFFSETS_TOPIC_NUM_PARTITIONS,
              Type.INT,
              50,
              atLeast(1),
              HIGH,
              "Partitions of __consumer_offsets; fixed once the topic exists.")
          .define(
              OFFSETS_TOPIC_REPLICATION_FACTOR,
              Type.SHORT,
              (short) 3,
              atLeast(1),
              HIGH,
              "Cluster mode: replicas of __consumer_offsets (capped at the brokers alive when the"
                  + " first FindCoordinator creates it; min.insync.replicas 2 when it has 2 or more)."
                  + " Committed offsets and group state survive the loss of a broker.")
          .define(
              OFFSETS_TOPIC_SEGMENT_BYTES,
              Type.INT,
              100 * 1024 * 1024,
              atLeast(1024),
              LOW,
              "Segment size of __consumer_offsets; smaller segments are compacted sooner.");

  public BrokerConfig(Map<String, ?> values) {
    super(DEFINITION, values, false);
  }

  /** Defaults, overridden by {@code FLOD_*} variables of {@code env}, then by {@code explicit}. */
  public static BrokerConfig from(Map<String, String> env, Map<String, String> explicit) {
    Map<String, Object> values = new HashMap<>();
    for (String name : DEFINITION.names()) {
      String variable = environmentVariable(name);
      if (env.containsKey(variable)) {
        values.put(name, env.get(variable));
      }
    }
    values.putAll(explicit);
    return new BrokerConfig(values);
  }

  public static String environmentVariable(String name) {
    return "FLOD_" + name.replace('.', '_').toUpperCase(Locale.ROOT);
  }
}
