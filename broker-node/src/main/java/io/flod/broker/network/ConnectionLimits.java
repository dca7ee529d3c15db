package io.flod.broker.network;

import io.flod.broker.config.BrokerConfig;

/**
 * What one client may take of a listener before and after it authenticates: frame sizes,
 * read-ahead, connections (in total and per client address) and idle time. Kafka's names and
 * meanings, with finite defaults where Kafka leaves them unbounded: a managed broker faces the
 * internet.
 *
 * @param maxFrameBytes the largest request frame ({@code socket.request.max.bytes})
 * @param preAuthMaxFrameBytes the largest frame before SASL authentication succeeded ({@code
 *     sasl.server.max.receive.size}); a larger size prefix closes the connection before anything is
 *     buffered
 * @param maxQueuedPerConnection requests read ahead on one connection
 * @param maxConnections connections the listener holds at once; more are closed at accept
 * @param maxConnectionsPerIp connections one client address holds at once
 * @param idleMs a connection with no read or write for this long is closed ({@code
 *     connections.max.idle.ms})
 */
public record ConnectionLimits(
    int maxFrameBytes,
    int preAuthMaxFrameBytes,
    int maxQueuedPerConnection,
    int maxConnections,
    int maxConnectionsPerIp,
    long idleMs) {

  public static ConnectionLimits fromConfig(BrokerConfig config) {
    return new ConnectionLimits(
        config.getInt(BrokerConfig.SOCKET_REQUEST_MAX_BYTES),
        config.getInt(BrokerConfig.SASL_SERVER_MAX_RECEIVE_SIZE),
        config.getInt(BrokerConfig.QUEUED_MAX_REQUESTS_PER_CONNECTION),
        config.getInt(BrokerConfig.MAX_CONNECTIONS),
        config.getInt(BrokerConfig.MAX_CONNECTIONS_PER_IP),
        config.getLong(BrokerConfig.CONNECTIONS_MAX_IDLE_MS));
  }
}
