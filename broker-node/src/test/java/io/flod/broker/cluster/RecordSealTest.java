package io.flod.broker.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RecordSealTest {
  private final RecordSeal mine = RecordSeal.fromBase64(RecordSeal.newKeyBase64());
  private final byte[] secret = "primaryKey=k-123".getBytes(StandardCharsets.UTF_8);

  @Test
  void aSealedValueOpensWithItsKeyAndContextOnly() {
    String sealed = mine.seal(secret, "cluster-a/flod/sas-rules");
    assertFalse(sealed.contains("k-123"));
    assertArrayEquals(secret, mine.open(sealed, "cluster-a/flod/sas-rules"));
    RecordSeal other = RecordSeal.fromBase64(RecordSeal.newKeyBase64());
    assertThrows(
        IllegalArgumentException.class, () -> other.open(sealed, "cluster-a/flod/sas-rules"));
    assertThrows(
        IllegalArgumentException.class, () -> mine.open(sealed, "cluster-b/flod/sas-rules"));
  }

  @Test
  void aTamperedOrUnsealedValueIsRefused() {
    String sealed = mine.seal(secret, "c");
    char[] chars = sealed.toCharArray();
    int i = chars.length - 5;
    chars[i] = chars[i] == 'A' ? 'B' : 'A';
    assertThrows(IllegalArgumentException.class, () -> mine.open(new String(chars), "c"));
    assertThrows(IllegalArgumentException.class, () -> mine.open("{\"rules\":[]}", "c"));
    assertThrows(IllegalArgumentException.class, () -> mine.open(null, "c"));
    assertThrows(IllegalArgumentException.class, () -> mine.open("v1:AAAA", "c"));
  }
}
