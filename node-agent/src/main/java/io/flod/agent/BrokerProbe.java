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
    try (Socket socket = new Socket()) {
      socket.connect(address, timeoutMs);
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
        return false;
      }
      byte[] response = new byte[size];
      in.readFully(response);
      AbstractResponse parsed = AbstractResponse.parseResponse(ByteBuffer.wrap(response), header);
      return parsed instanceof ApiVersionsResponse versions
          && versions.data().errorCode() == Errors.NONE.code();
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }
}
