package io.flod.broker.network;

import io.flod.broker.config.BrokerConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.File;
import javax.net.ssl.SSLException;

/**
 * The TLS both heads serve with, from the PEM certificate chain and key the broker is configured
 * with. The JDK's provider, so that no native library has to match the machine.
 */
public final class ServerTls {
  private ServerTls() {}

  /** The server context, or null when no certificate is configured (listeners in clear). */
  public static SslContext fromConfig(BrokerConfig config) {
    String certificate = config.getString(BrokerConfig.SSL_CERTIFICATE_LOCATION);
    String key = config.getString(BrokerConfig.SSL_KEY_LOCATION);
    if (certificate == null && key == null) {
      return null;
    }
    if (certificate == null || key == null) {
      throw new IllegalArgumentException(
          BrokerConfig.SSL_CERTIFICATE_LOCATION
              + " and "
              + BrokerConfig.SSL_KEY_LOCATION
              + " go together: set both or neither");
    }
    try {
      return SslContextBuilder.forServer(new File(certificate), new File(key))
          .sslProvider(SslProvider.JDK)
          .build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "cannot load the TLS certificate " + certificate + " with key " + key + ": " + e, e);
    }
  }
}
