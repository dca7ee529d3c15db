package io.flod.controlplane.sas;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts secrets the control plane must be able to show again (SAS keys, unlike API keys, which
 * are only hashed) before they reach the database: AES-256-GCM with a fresh 12-byte nonce per
 * value, stored as {@code v1:<base64(nonce | ciphertext+tag)>}. The key comes from {@code
 * FLOD_SECRETS_KEY} (base64, 32 bytes; every control-plane instance sharing a database needs the
 * same one) or is generated once into {@code secrets.key} (mode 600) in the data directory. The
 * JDK's own AES-GCM is used; no library adds anything here.
 */
public final class SecretBox {
  private static final String PREFIX = "v1:";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKeySpec key;

  private SecretBox(byte[] key) {
    if (key.length != 32) {
      throw new IllegalArgumentException("the secrets key must be 32 bytes, not " + key.length);
    }
    this.key = new SecretKeySpec(key, "AES");
  }

  /** The key from {@code fromEnvironment} (base64) if set, else from (or into) the data dir. */
  public static SecretBox load(Path dataDir, String fromEnvironment) {
    if (fromEnvironment != null && !fromEnvironment.isBlank()) {
      return new SecretBox(Base64.getDecoder().decode(fromEnvironment.trim()));
    }
    Path file = dataDir.resolve("secrets.key");
    try {
      if (Files.exists(file)) {
        return new SecretBox(
            Base64.getDecoder().decode(Files.readString(file, StandardCharsets.UTF_8).trim()));
      }
      Files.createDirectories(dataDir);
      byte[] key = new byte[32];
      RANDOM.nextBytes(key);
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(
          file,
          Base64.getEncoder().encodeToString(key) + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.WRITE);
      return new SecretBox(key);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create " + file, e);
    }
  }

  public String seal(String plaintext) {
    try {
      byte[] nonce = new byte[NONCE_BYTES];
      RANDOM.nextBytes(nonce);
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
      return PREFIX
          + Base64.getEncoder()
              .encodeToString(
                  ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available", e);
    }
  }

  /**
   * The plaintext of a sealed value. A value without the prefix was stored before encryption
   * existed and is returned as it is (it is sealed the next time it is written).
   *
   * @throws IllegalStateException the value was sealed with another key, or altered
   */
  public String open(String stored) {
    if (!stored.startsWith(PREFIX)) {
      return stored;
    }
    byte[] bytes = Base64.getDecoder().decode(stored.substring(PREFIX.length()));
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, bytes, 0, NONCE_BYTES));
      return new String(
          cipher.doFinal(bytes, NONCE_BYTES, bytes.length - NONCE_BYTES), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(
          "a stored secret cannot be decrypted: the secrets key differs from the one that sealed it",
          e);
    }
  }

  /**
   * A 32-byte key for {@code label}, derived from the secrets key (HMAC-SHA256): the same on every
   * control-plane instance that shares the secrets key, and never stored. Each cluster's SAS rules
   * key is derived so ({@link #clusterRulesKey}).
   */
  public byte[] derive(String label) {
    try {
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key.getEncoded(), "HmacSHA256"));
      return mac.doFinal(label.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot derive a key", e);
    }
  }

  /**
   * The key a cluster's SAS rules are sealed with in ZooKeeper, base64: handed to that cluster's
   * brokers only (see {@code io.flod.broker.cluster.ZkSasRules}).
   */
  public String clusterRulesKey(java.util.UUID clusterId) {
    return Base64.getEncoder().encodeToString(derive("flod/sas-rules/v1/" + clusterId));
  }
}
