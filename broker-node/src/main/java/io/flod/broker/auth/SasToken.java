package io.flod.broker.auth;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * An Event Hubs shared access signature: {@code SharedAccessSignature sr=<url-encoded
 * URI>&sig=<base64 HMAC-SHA256>&se=<expiry>&skn=<rule>}, signed over {@code "<url-encoded
 * URI>\n<expiry>"} with the rule's key (its text, as Event Hubs' SDKs use it). Written here because
 * no library on our classpath speaks this format.
 */
public record SasToken(
    String resourceUri, String encodedResourceUri, String signature, long expiry, String keyName) {
  private static final String PREFIX = "SharedAccessSignature ";

  /** Thrown for anything that is not a well-formed token; the message is for logs only. */
  public static final class MalformedToken extends Exception {
    MalformedToken(String why) {
      super(why);
    }
  }

  public static boolean looksLikeToken(String text) {
    return text != null && text.startsWith(PREFIX);
  }

  public static SasToken parse(String text) throws MalformedToken {
    if (!looksLikeToken(text)) {
      throw new MalformedToken("not a SharedAccessSignature");
    }
    Map<String, String> fields = new HashMap<>();
    for (String pair : text.substring(PREFIX.length()).split("&")) {
      int eq = pair.indexOf('=');
      if (eq <= 0 || fields.put(pair.substring(0, eq), pair.substring(eq + 1)) != null) {
        throw new MalformedToken("bad or repeated field");
      }
    }
    String sr = fields.get("sr");
    String sig = fields.get("sig");
    String se = fields.get("se");
    String skn = fields.get("skn");
    if (sr == null || sig == null || se == null || skn == null || fields.size() != 4) {
      throw new MalformedToken("needs exactly sr, sig, se and skn");
    }
    try {
      return new SasToken(
          URLDecoder.decode(sr, StandardCharsets.UTF_8),
          sr,
          URLDecoder.decode(sig, StandardCharsets.UTF_8),
          Long.parseLong(se),
          URLDecoder.decode(skn, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw new MalformedToken("undecodable field: " + e.getMessage());
    }
  }

  /** A token for {@code resourceUri} signed with {@code key}, valid until {@code expiry}. */
  public static String sign(String resourceUri, String keyName, String key, long expiry) {
    String encodedUri = encode(resourceUri);
    return PREFIX
        + "sr="
        + encodedUri
        + "&sig="
        + encode(signature(encodedUri, expiry, key))
        + "&se="
        + expiry
        + "&skn="
        + encode(keyName);
  }

  /**
   * Whether {@code key} made this token's signature (in constant time). The URI is signed as the
   * token carries it: encoders differ in letter case and in what they escape.
   */
  public boolean signedWith(String key) {
    byte[] expected =
        signature(encodedResourceUri, expiry, key).getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(expected, signature.getBytes(StandardCharsets.US_ASCII));
  }

  private static String signature(String encodedUri, long expiry, String key) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      byte[] digest = mac.doFinal((encodedUri + "\n" + expiry).getBytes(StandardCharsets.UTF_8));
      return Base64.getEncoder().encodeToString(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }
}
