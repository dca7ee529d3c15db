package io.flod.broker.support;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.Base64;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

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
    // The JDK's keytool makes the key pair and the self-signed certificate (the JDK has no public
    // API for that, and BouncyCastle clashes with the older copy jclouds brings to the control
    // plane's classpath); the keystore API then hands both out for the PEM files.
    Files.createDirectories(dir);
    Path keystore = dir.resolve("broker.p12");
    char[] password = "flod-tests".toCharArray();
    Process keytool =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair",
                "-alias",
                "broker",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=localhost,O=flod tests",
                "-ext",
                "SAN=dns:localhost,ip:127.0.0.1",
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                keystore.toString(),
                "-storepass",
                new String(password))
            .redirectErrorStream(true)
            .start();
    String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!keytool.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) || keytool.exitValue() != 0) {
      throw new IllegalStateException("keytool failed: " + output);
    }
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (var in = Files.newInputStream(keystore)) {
      store.load(in, password);
    }
    String certificatePem = pem("CERTIFICATE", store.getCertificate("broker").getEncoded());
    Path certificateFile = Files.writeString(dir.resolve("broker.crt"), certificatePem);
    Path keyFile =
        Files.writeString(
            dir.resolve("broker.key"),
            pem("PRIVATE KEY", store.getKey("broker", password).getEncoded()));
    return new TestCertificate(certificateFile, keyFile, certificatePem);
  }

  /** The broker settings that make its listeners serve TLS with this certificate. */
  public String[] brokerConfigs() {
    return new String[] {"ssl.certificate.location=" + certificate, "ssl.key.location=" + key};
  }

  public Path certificateFile() {
    return certificate;
  }

  public Path keyFile() {
    return key;
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
