package io.flod.agent;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * Readiness over the broker's own port: one Kafka ApiVersions round trip, which only a broker that
 * accepts and answers requests passes (an open port alone does not prove that). Built from
 * kafka-clients' message classes; a blocking socket is fine here, on the supervisor's thread.
 */
final class BrokerProbe {
  private static final short VERSION = 3;
  private final InetSocketAddress address;
  private int correlationId;

  BrokerProbe(InetSocketAddress address) {
    this.address = address;
  }

  /** True when the broker answered ApiVersions without error within the timeout. */
  boolean ready(int timeoutMs) {
    return probe(timeoutMs) == Outcome.ANSWERED;
  }

  /**
   * True when the broker's process is alive and serving its port: it answered, or it accepted the
   * connection and closed it at once, which only a running event loop does (a broker at its {@code
   * max.connections} limit under a connection flood closes new connections, and must not be killed
   * for it). A broker that accepts nothing, or accepts and then never answers (hung, stopped), is
   * not alive.
   */
  boolean alive(int timeoutMs) {
    return probe(timeoutMs) != Outcome.NO_ANSWER;
  }

  private enum Outcome {
    ANSWERED,
    CLOSED_BY_BROKER,
    NO_ANSWER
  }

  private Outcome probe(int timeoutMs) {
    boolean connected = false;
    try (Socket socket = new Socket()) {
      socket.connect(address, timeoutMs);
      connected = true;
      socket.setSoTimeout(timeoutMs);
      int id = ++correlationId;
      RequestHeader header = new RequestHeader(ApiKeys.API_VERSIONS, VERSION, "flod-agent", id);
      ApiVersionsRequest request =
          new ApiVersionsRequest(
              new ApiVersionsRequestData()
                  .setClientSoftwareName("flod-agent")
                  .setClientSoftwareVersion("1"),
              VERSION);
      ByteBuffer bytes = request.serializeWithHeader(header);
      DataOutputStream out = new DataOutputStream(socket.getOutputStream());
      out.writeInt(bytes.remaining());
      out.write(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
      out.flush();
      DataInputStream in = new DataInputStream(socket.getInputStream());
      int size = in.readInt();
      if (size <= 0 || size > 1 << 20) {
        return Outcome.NO_ANSWER;
      }
      byte[] response = new byte[size];
      in.readFully(response);
      AbstractResponse parsed = AbstractResponse.parseResponse(ByteBuffer.wrap(response), header);
      return parsed instanceof ApiVersionsResponse versions
              && versions.data().errorCode() == Errors.NONE.code()
          ? Outcome.ANSWERED
          : Outcome.NO_ANSWER;
    } catch (java.net.SocketTimeoutException e) {
      return Outcome.NO_ANSWER;
    } catch (java.io.EOFException | java.net.SocketException e) {
      // Accepted, then closed or reset by the broker: its event loop runs.
      return connected ? Outcome.CLOSED_BY_BROKER : Outcome.NO_ANSWER;
    } catch (IOException | RuntimeException e) {
      return Outcome.NO_ANSWER;
    }
  }
}
