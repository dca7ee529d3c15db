package io.flod.terraform.resource;

import io.flod.terraform.cty.Unknown;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reading typed attribute values out of decoded objects. */
public final class Values {
  private static final Pattern DURATION = Pattern.compile("(\\d+)(h|m|s)");

  private Values() {}

  public static boolean known(Object value) {
    return value != Unknown.VALUE;
  }

  public static String string(Map<String, Object> object, String name) {
    Object v = object.get(name);
    return v instanceof String s ? s : null;
  }

  public static Integer integer(Map<String, Object> object, String name) {
    Object v = object.get(name);
    return v instanceof BigDecimal n ? n.intValueExact() : null;
  }

  @SuppressWarnings("unchecked")
  public static List<Object> list(Map<String, Object> object, String name) {
    Object v = object.get(name);
    return v instanceof List<?> l ? (List<Object>) l : null;
  }

  @SuppressWarnings("unchecked")
  public static Map<String, Object> object(Map<String, Object> object, String name) {
    Object v = object.get(name);
    return v instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
  }

  public static BigDecimal number(long n) {
    return BigDecimal.valueOf(n);
  }

  /**
   * A timeout from a {@code timeouts} block ("60m", "1h30m", "90s"), or the default when it is not
   * set.
   */
  public static Duration timeout(Map<String, Object> state, String which, Duration fallback) {
    Map<String, Object> timeouts = object(state, "timeouts");
    String text = timeouts == null ? null : string(timeouts, which);
    if (text == null) {
      return fallback;
    }
    Duration total = Duration.ZERO;
    Matcher m = DURATION.matcher(text.trim());
    int end = 0;
    while (m.find() && m.start() == end) {
      long n = Long.parseLong(m.group(1));
      total =
          total.plus(
              switch (m.group(2)) {
                case "h" -> Duration.ofHours(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofSeconds(n);
              });
      end = m.end();
    }
    if (end != text.trim().length() || end == 0) {
      throw new ProviderException(
          "Invalid timeout",
          "\"" + text + "\" is not a duration such as \"60m\", \"1h30m\" or \"90s\".",
          "timeouts");
    }
    return total;
  }
}
