package io.flod.broker.support;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * Sends hand-built requests (kafka-clients' request builders) over a plain socket, for tests of
 * what the real clients never send: stale generations, unknown members, oversized fields.
 */
public final class RawKafkaClient implements AutoCloseable {
  private final Socket socket;
  private final DataOutputStream out;
  private final DataInputStream in;
  private int correlationId;

  public RawKafkaClient(String bootstrapServers) throws IOException {
    String[] hostPort = bootstrapServers.split(":");
    socket = new Socket();
    socket.connect(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])), 5_000);
    socket.setSoTimeout(30_000);
    out = new DataOutputStream(socket.getOutputStream());
    in = new DataInputStream(socket.getInputStream());
  }

  @SuppressWarnings("unchecked")
  public <R extends AbstractResponse> R send(AbstractRequest request) throws IOException {
    RequestHeader header =
        new RequestHeader(request.apiKey(), request.version(), "raw-test", ++correlationId);
    ByteBuffer frame = request.serializeWithHeader(header);
    out.writeInt(frame.remaining());
    out.write(frame.array(), frame.arrayOffset() + frame.position(), frame.remaining());
    out.flush();
    byte[] response = new byte[in.readInt()];
    in.readFully(response);
    return (R) AbstractResponse.parseResponse(ByteBuffer.wrap(response), header);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
