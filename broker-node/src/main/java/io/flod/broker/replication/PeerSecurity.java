package io.flod.broker.replication;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * How a broker connects to another broker's listener: TLS when the listeners have it, and SASL as
 * the broker when they require a login.
 *
 * @param brokerSecret the cluster's secret, or null when the listeners do not require SASL
 * @param tls sockets for a TLS listener, or null when the listeners are in clear
 */
public record PeerSecurity(Supplier<String> brokerSecret, SSLSocketFactory tls) {

  /**
   * Sockets that trust exactly the certificates in {@code certificateFile} (the cluster's brokers
   * present that chain), without a host-name check: peers are dialled by advertised address, which
   * may be an IP the certificate does not name, and the pinned certificate already says who they
   * are.
   */
  public static SSLSocketFactory trusting(String certificateFile) {
    try (InputStream in = Files.newInputStream(Path.of(certificateFile))) {
      KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
      trusted.load(null, null);
      int i = 0;
      for (Certificate certificate :
          CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        trusted.setCertificateEntry("peer-" + i++, certificate);
      }
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(trusted);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context.getSocketFactory();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + certificateFile, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot trust the certificates in " + certificateFile, e);
    }
  }
}
