package io.flod.provisioner;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a new machine's agent starts with: where the control plane is and the one-time token it
 * registers with. They travel inside the machine's user data as {@code FLOD_NAME=value} lines of
 * the agent's environment file, so that the local provider reads them from the same user data a
 * cloud machine's cloud-init gets.
 */
public record BootSettings(String controlPlaneUrl, String token) {
  private static final Pattern LINE = Pattern.compile("^\\s*FLOD_([A-Z_]+)=(\\S*)\\s*$");

  public BootSettings {
    for (String value : new String[] {controlPlaneUrl, token}) {
      if (value == null || value.isBlank() || !value.matches("[\\x21-\\x7e]+")) {
        throw new IllegalArgumentException("boot settings must be non-blank printable ASCII");
      }
    }
  }

  /** The environment file's lines. */
  public String envFile() {
    return "FLOD_CONTROL_PLANE=" + controlPlaneUrl + "\nFLOD_TOKEN=" + token + "\n";
  }

  /** Reads the settings back out of rendered user data. */
  public static BootSettings parse(String userData) {
    Map<String, String> values = new LinkedHashMap<>();
    for (String line : userData.split("\n")) {
      Matcher m = LINE.matcher(line);
      if (m.matches()) {
        values.put(m.group(1), m.group(2));
      }
    }
    return new BootSettings(values.get("CONTROL_PLANE"), values.get("TOKEN"));
  }
}
