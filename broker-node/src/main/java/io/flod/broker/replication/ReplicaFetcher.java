package io.flod.broker.replication;

import io.flod.broker.auth.SasAuthenticator;
import io.flod.broker.partition.Partition;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderPartition;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopic;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopicCollection;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.EpochEndOffset;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochRequest;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.SaslAuthenticateRequest;
import org.apache.kafka.common.requests.SaslAuthenticateResponse;
import org.apache.kafka.common.requests.SaslHandshakeRequest;
import org.apache.kafka.common.requests.SaslHandshakeResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread that replicates every partition this broker follows from one leader broker, over one
 * connection with Kafka's own Fetch (carrying this broker's replica id) and OffsetsForLeaderEpoch.
 * A partition first truncates its log to where its latest epoch ends on the leader (so a suffix
 * written by a deposed leader goes), then fetches from its log end. A partition whose fetch fails
 * (leader moved, epoch fenced) is handed back to {@link ReplicaFetchers} to find its leader again.
 *
 * <p>The leader's bytes are not trusted further than their CRCs: a response frame larger than
 * {@code socket.request.max.bytes} (the largest frame brokers exchange) fails that fetch and closes
 * the connection before anything is allocated for it, and fetches ask for at most half of it so
 * that a healthy leader stays well within it (the first batch of a partition may exceed what was
 * asked).
 *
 * <p>A blocking socket on a thread of its own, rather than Netty, because the fetcher waits on the
 * leader anyway and a thread per source broker is what Kafka uses too.
 */
final class ReplicaFetcher extends Thread {
  private static final Logger log = LoggerFactory.getLogger(ReplicaFetcher.class);
  private static final short FETCH_VERSION = 12;
  private static final short EPOCH_VERSION = 4;
  private static final long FAILURE_LOG_INTERVAL_MS = 10_000;

  private final int localNodeId;
  private final int leaderId;
  private final InetSocketAddress leaderAddress;
  private final ReplicaFetchers owner;
  private final int maxWaitMs;
  private final int maxBytesPerPartition;
  private final int maxFrameBytes;
  private final Map<TopicPartition, Follow> partitions = new ConcurrentHashMap<>();
  private final Object wakeup = new Object();
  private volatile boolean running = true;
  private Socket socket;
  private DataOutputStream out;
  private DataInputStream in;
  private long lastFailureLogMs;
  private long unloggedFailures;
  private int correlationId;
  private final PeerSecurity peers;

  private static final class Follow {
    final Partition partition;
    final int leaderEpoch;
    volatile boolean truncated;

    Follow(Partition partition, int leaderEpoch) {
      this.partition = partition;
      this.leaderEpoch = leaderEpoch;
    }
  }

  ReplicaFetcher(
      int localNodeId,
      int leaderId,
      InetSocketAddress leaderAddress,
      ReplicaFetchers owner,
      int maxWaitMs,
      int maxBytesPerPartition,
      int maxFrameBytes,
      PeerSecurity peers) {
    super("flod-replica-fetcher-" + localNodeId + "-from-" + leaderId);
    setDaemon(true);
    this.localNodeId = localNodeId;
    this.leaderId = leaderId;
    this.leaderAddress = leaderAddress;
    this.owner = owner;
    this.maxWaitMs = maxWaitMs;
    this.maxBytesPerPartition = maxBytesPerPartition;
    this.maxFrameBytes = maxFrameBytes;
    this.peers = peers;
  }

  InetSocketAddress leaderAddress() {
    return leaderAddress;
  }

  void add(Partition partition, int leaderEpoch) {
    partitions.put(partition.topicPartition(), new Follow(partition, leaderEpoch));
    synchronized (wakeup) {
      wakeup.notifyAll();
    }
  }

  boolean remove(TopicPartition tp) {
    return partitions.remove(tp) != null;
  }

  void shutdown() {
    running = false;
    interrupt();
    closeSocket();
  }

  @Override
  public void run() {
    while (running) {
      try {
        if (partitions.isEmpty()) {
          synchronized (wakeup) {
            wakeup.wait(200);
          }
          continue;
        }
        connect();
        truncatePending();
        fetchOnce();
      } catch (InterruptedException e) {
        return;
      } catch (IOException | RuntimeException e) {
        if (!running) {
          return;
        }
        // A dead leader fails every retry until its session expires: one line per 10 s, not 5/s.
        long now = System.currentTimeMillis();
        if (now - lastFailureLogMs >= FAILURE_LOG_INTERVAL_MS) {
          log.warn(
              "node={} fetch from leader {} at {} failed: {}; finding leaders again"
                  + " ({} similar failures not logged)",
              localNodeId,
              leaderId,
              leaderAddress,
              e.toString(),
              unloggedFailures);
          lastFailureLogMs = now;
          unloggedFailures = 0;
        } else {
          unloggedFailures++;
        }
        closeSocket();
        for (TopicPartition tp : List.copyOf(partitions.keySet())) {
          handBack(tp);
        }
        try {
          Thread.sleep(200);
        } catch (InterruptedException interrupted) {
          return;
        }
      }
    }
  }

  private void handBack(TopicPartition tp) {
    Follow follow = partitions.remove(tp);
    if (follow != null) {
      owner.relocate(follow.partition);
    }
  }

  private void truncatePending() throws IOException {
    OffsetForLeaderTopicCollection topics = new OffsetForLeaderTopicCollection();
    Map<TopicPartition, Follow> pending = new HashMap<>();
    for (Map.Entry<TopicPartition, Follow> e : partitions.entrySet()) {
      Follow follow = e.getValue();
      if (follow.truncated) {
        continue;
      }
      int latest = follow.partition.log().latestEpoch();
      if (latest < 0) {
        follow.truncated = true; // an empty log has nothing to disagree about
        continue;
      }
      TopicPartition tp = e.getKey();
      OffsetForLeaderTopic topic = topics.find(tp.topic());
      if (topic == null) {
        topic = new OffsetForLeaderTopic().setTopic(tp.topic());
        topics.add(topic);
      }
      topic
          .partitions()
          .add(
              new OffsetForLeaderPartition()
                  .setPartition(tp.partition())
                  .setCurrentLeaderEpoch(follow.leaderEpoch)
                  .setLeaderEpoch(latest));
      pending.put(tp, follow);
    }
    if (pending.isEmpty()) {
      return;
    }
    OffsetsForLeaderEpochResponse response =
        send(OffsetsForLeaderEpochRequest.Builder.forFollower(topics, localNodeId), EPOCH_VERSION);
    for (OffsetForLeaderTopicResult topic : response.data().topics()) {
      for (EpochEndOffset end : topic.partitions()) {
        TopicPartition tp = new TopicPartition(topic.topic(), end.partition());
        Follow follow = pending.get(tp);
        if (follow == null || partitions.get(tp) != follow) {
          continue;
        }
        if (end.errorCode() != Errors.NONE.code()) {
          log.info(
              "node={} partition={} leader {} refused epoch lookup: {}",
              localNodeId,
              tp,
              leaderId,
              Errors.forCode(end.errorCode()));
          handBack(tp);
          continue;
        }
        follow.partition.truncateToLeader(end.leaderEpoch(), end.endOffset());
        follow.truncated = true;
      }
    }
  }

  private void fetchOnce() throws IOException {
    Map<TopicPartition, FetchRequest.PartitionData> wanted = new HashMap<>();
    Map<TopicPartition, Follow> fetching = new HashMap<>();
    for (Map.Entry<TopicPartition, Follow> e : partitions.entrySet()) {
      Follow follow = e.getValue();
      if (!follow.truncated) {
        continue;
      }
      Partition partition = follow.partition;
      wanted.put(
          e.getKey(),
          new FetchRequest.PartitionData(
              Uuid.ZERO_UUID,
              partition.log().logEndOffset(),
              partition.log().logStartOffset(),
              maxBytesPerPartition,
              Optional.of(follow.leaderEpoch),
              Optional.empty()));
      fetching.put(e.getKey(), follow);
    }
    if (wanted.isEmpty()) {
      return;
    }
    FetchRequest.Builder request =
        FetchRequest.Builder.forReplica(FETCH_VERSION, localNodeId, -1, maxWaitMs, 1, wanted)
            .setMaxBytes(maxFrameBytes / 2);
    FetchResponse response = send(request, FETCH_VERSION);
    for (FetchResponseData.FetchableTopicResponse topic : response.data().responses()) {
      for (FetchResponseData.PartitionData data : topic.partitions()) {
        TopicPartition tp = new TopicPartition(topic.topic(), data.partitionIndex());
        Follow follow = fetching.get(tp);
        if (follow == null || partitions.get(tp) != follow) {
          continue;
        }
        Errors error = Errors.forCode(data.errorCode());
        if (error == Errors.NONE) {
          follow.partition.appendAsFollower((MemoryRecords) data.records(), data.highWatermark());
        } else if (error == Errors.OFFSET_OUT_OF_RANGE) {
          follow.partition.resetAfterOutOfRange(data.logStartOffset(), data.highWatermark());
          follow.truncated = false;
        } else {
          log.info(
              "node={} partition={} fetch from leader {} at epoch {}: {}",
              localNodeId,
              tp,
              leaderId,
              follow.leaderEpoch,
              error);
          handBack(tp);
        }
      }
    }
  }

  @SuppressWarnings("unchecked")
  private <R extends AbstractResponse> R send(AbstractRequest.Builder<?> builder, short version)
      throws IOException {
    AbstractRequest request = builder.build(version);
    RequestHeader header =
        new RequestHeader(
            request.apiKey(), request.version(), "flod-replica-" + localNodeId, ++correlationId);
    ByteBuffer frame = request.serializeWithHeader(header);
    out.writeInt(frame.remaining());
    out.write(frame.array(), frame.arrayOffset() + frame.position(), frame.remaining());
    out.flush();
    int size = in.readInt();
    if (size < 0 || size > maxFrameBytes) {
      throw new FrameTooLargeException(
          "leader "
              + leaderId
              + " at "
              + leaderAddress
              + " sent a response frame of "
              + size
              + " bytes; the limit is "
              + maxFrameBytes
              + " (socket.request.max.bytes)");
    }
    byte[] responseBytes = new byte[size];
    in.readFully(responseBytes);
    return (R) AbstractResponse.parseResponse(ByteBuffer.wrap(responseBytes), header);
  }

  /** A peer's frame that breaks the size limit: the connection cannot be trusted any more. */
  static final class FrameTooLargeException extends IOException {
    FrameTooLargeException(String message) {
      super(message);
    }
  }

  private void connect() throws IOException {
    if (socket != null) {
      return;
    }
    Socket s = new Socket();
    s.setTcpNoDelay(true);
    s.connect(leaderAddress, 3_000);
    s.setSoTimeout(maxWaitMs + 5_000);
    if (peers.tls() != null) {
      javax.net.ssl.SSLSocket secured =
          (javax.net.ssl.SSLSocket)
              peers
                  .tls()
                  .createSocket(s, leaderAddress.getHostString(), leaderAddress.getPort(), true);
      secured.startHandshake();
      s = secured;
    }
    socket = s;
    out = new DataOutputStream(new java.io.BufferedOutputStream(s.getOutputStream()));
    in = new DataInputStream(new java.io.BufferedInputStream(s.getInputStream()));
    String secret = peers.brokerSecret().get();
    if (secret != null) {
      authenticate(secret);
    }
  }

  /** On a listener with SASL, brokers log in to each other with the cluster's secret. */
  private void authenticate(String secret) throws IOException {
    SaslHandshakeResponse handshake =
        send(
            new SaslHandshakeRequest.Builder(new SaslHandshakeRequestData().setMechanism("PLAIN")),
            (short) 1);
    if (handshake.data().errorCode() != Errors.NONE.code()) {
      throw new IOException(
          "leader refused SASL/PLAIN: " + Errors.forCode(handshake.data().errorCode()));
    }
    byte[] plain =
        ("\u0000" + SasAuthenticator.BROKER_USER + "\u0000" + secret)
            .getBytes(StandardCharsets.UTF_8);
    SaslAuthenticateResponse response =
        send(
            new SaslAuthenticateRequest.Builder(
                new SaslAuthenticateRequestData().setAuthBytes(plain)),
            (short) 2);
    if (response.data().errorCode() != Errors.NONE.code()) {
      throw new IOException("leader refused the cluster's broker secret");
    }
  }

  private void closeSocket() {
    Socket s = socket;
    socket = null;
    if (s != null) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }
}
