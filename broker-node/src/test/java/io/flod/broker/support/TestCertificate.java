package io.flod.broker.support;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A self-signed certificate for {@code localhost} and {@code 127.0.0.1}, written as the PEM files a
 * broker is configured with, and the client settings that trust it (Java HTTP and Kafka clients,
 * and a CA file for kcat).
 */
public final class TestCertificate {
  private final Path certificate;
  private final Path key;
  private final String certificatePem;

  private TestCertificate(Path certificate, Path key, String certificatePem) {
    this.certificate = certificate;
    this.key = key;
    this.certificatePem = certificatePem;
  }

  public static TestCertificate create(Path dir) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
    KeyPair keys = generator.generateKeyPair();
    X500Name subject = new X500Name("CN=localhost,O=flod tests");
    Instant now = Instant.now();
    JcaX509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            subject,
            new BigInteger(64, new SecureRandom()),
            Date.from(now.minus(Duration.ofMinutes(1))),
            Date.from(now.plus(Duration.ofDays(1))),
            subject,
            keys.getPublic());
    builder.addExtension(
        Extension.subjectAlternativeName,
        false,
        new GeneralNames(
            new GeneralName[] {
              new GeneralName(GeneralName.dNSName, "localhost"),
              new GeneralName(GeneralName.iPAddress, "127.0.0.1")
            }));
    X509Certificate certificate =
        new JcaX509CertificateConverter()
            .getCertificate(
                builder.build(
                    new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
    String certificatePem = pem("CERTIFICATE", certificate.getEncoded());
    Files.createDirectories(dir);
    Path certificateFile = Files.writeString(dir.resolve("broker.crt"), certificatePem);
    Path keyFile =
        Files.writeString(
            dir.resolve("broker.key"), pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
    return new TestCertificate(certificateFile, keyFile, certificatePem);
  }

  /** The broker settings that make its listeners serve TLS with this certificate. */
  public String[] brokerConfigs() {
    return new String[] {"ssl.certificate.location=" + certificate, "ssl.key.location=" + key};
  }

  public Path certificateFile() {
    return certificate;
  }

  /** Kafka client settings that trust this certificate (to be merged with the SASL ones). */
  public Map<String, Object> kafkaTrust() {
    return Map.of("ssl.truststore.type", "PEM", "ssl.truststore.certificates", certificatePem);
  }

  /** An SSL context that trusts this certificate only, for {@code java.net.http.HttpClient}. */
  public SSLContext sslContext() throws Exception {
    KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
    trusted.load(null, null);
    trusted.setCertificateEntry(
        "broker",
        CertificateFactory.getInstance("X.509")
            .generateCertificate(
                new ByteArrayInputStream(certificatePem.getBytes(StandardCharsets.US_ASCII))));
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(trusted);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    return context;
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }
}
