package io.flod.broker.cluster;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals what a cluster's brokers read from ZooKeeper with a key only that cluster's machines and
 * the control plane hold: AES-256-GCM, a fresh 12-byte nonce per value, the record's context (the
 * cluster and the record's name) bound in as associated data, stored as {@code v1:<base64(nonce |
 * ciphertext+tag)>}. Another cluster's machines can neither read a sealed record nor write one that
 * opens (a forged or copied record fails the tag). The JDK's AES-GCM is used; no library adds
 * anything here.
 */
public final class RecordSeal {
  private static final String PREFIX = "v1:";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKeySpec key;

  public RecordSeal(byte[] key) {
    if (key.length != 32) {
      throw new IllegalArgumentException("a sealing key is 32 bytes, not " + key.length);
    }
    this.key = new SecretKeySpec(key, "AES");
  }

  /** A key as configured: base64 of 32 bytes. */
  public static RecordSeal fromBase64(String key) {
    return new RecordSeal(Base64.getDecoder().decode(key.trim()));
  }

  /** A new random key, base64 (tests and tools; the control plane derives its keys). */
  public static String newKeyBase64() {
    byte[] key = new byte[32];
    RANDOM.nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }

  public String seal(byte[] plaintext, String context) {
    try {
      byte[] nonce = new byte[NONCE_BYTES];
      RANDOM.nextBytes(nonce);
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = cipher.doFinal(plaintext);
      return PREFIX
          + Base64.getEncoder()
              .encodeToString(
                  ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot seal", e);
    }
  }

  /**
   * The plaintext of a value sealed with this key for {@code context}.
   *
   * @throws IllegalArgumentException the value is not sealed, or not with this key and context
   */
  public byte[] open(String sealed, String context) {
    if (sealed == null || !sealed.startsWith(PREFIX)) {
      throw new IllegalArgumentException("not a sealed value");
    }
    try {
      byte[] bytes = Base64.getDecoder().decode(sealed.substring(PREFIX.length()));
      if (bytes.length < NONCE_BYTES + TAG_BITS / 8) {
        throw new IllegalArgumentException("sealed value too short");
      }
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, bytes, 0, NONCE_BYTES));
      cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
      return cipher.doFinal(bytes, NONCE_BYTES, bytes.length - NONCE_BYTES);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "sealed value does not open with this cluster's key (forged, or another cluster's)");
    }
  }
}
