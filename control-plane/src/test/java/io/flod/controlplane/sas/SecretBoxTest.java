package io.flod.controlplane.sas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretBoxTest {
  @TempDir Path dir;

  @Test
  void sealedValuesOpenWithTheSameKeyFileAndDifferEachTime() throws Exception {
    SecretBox box = SecretBox.load(dir, null);
    String a = box.seal("key-material");
    String b = box.seal("key-material");
    assertNotEquals(a, b, "a fresh nonce per value");
    assertEquals(
        "rw-------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("secrets.key"))));
    SecretBox reloaded = SecretBox.load(dir, null);
    assertEquals("key-material", reloaded.open(a));
    assertEquals("key-material", reloaded.open(b));
  }

  @Test
  void anotherKeyOrAnAlteredValueIsRefusedAndLegacyClearValuesPassThrough() {
    SecretBox box = SecretBox.load(dir.resolve("one"), null);
    String sealed = box.seal("key-material");
    SecretBox other = SecretBox.load(dir.resolve("two"), null);
    assertThrows(IllegalStateException.class, () -> other.open(sealed));
    byte[] bytes = Base64.getDecoder().decode(sealed.substring(3));
    bytes[bytes.length - 1] ^= 1;
    String altered = "v1:" + Base64.getEncoder().encodeToString(bytes);
    assertThrows(IllegalStateException.class, () -> box.open(altered));
    assertEquals("stored-before-sealing", box.open("stored-before-sealing"));
  }

  @Test
  void aKeyFromTheEnvironmentWinsAndMustBe32Bytes() {
    String key = Base64.getEncoder().encodeToString(new byte[32]);
    SecretBox fromEnv = SecretBox.load(dir, key);
    assertEquals("x", SecretBox.load(dir.resolve("elsewhere"), key).open(fromEnv.seal("x")));
    assertEquals(false, Files.exists(dir.resolve("secrets.key")));
    assertThrows(
        IllegalArgumentException.class,
        () -> SecretBox.load(dir, Base64.getEncoder().encodeToString(new byte[16])));
  }
}
