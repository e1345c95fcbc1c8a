package dev.relay.app.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as written in relay.yaml: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 7d}, or ISO-8601. */
public final class Durations {
  private static final Pattern SIMPLE = Pattern.compile("(\\d{1,30})\\s*(ms|s|m|h|d)");

  private Durations() {}

  public static Duration parse(String text) {
    String s = text.trim();
    Matcher m = SIMPLE.matcher(s);
    if (m.matches()) {
      try {
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          default -> Duration.ofDays(n);
        };
      } catch (NumberFormatException | ArithmeticException e) {
        throw new IllegalArgumentException("is far too large for a duration", null);
      }
    }
    if (s.startsWith("P") || s.startsWith("p")) {
      try {
        return Duration.parse(s);
      } catch (DateTimeParseException e) {
        // fall through to the message below
      }
    }
    throw new IllegalArgumentException("must be a duration with a unit such as 500ms, 30s, 5m, 1h or 7d");
  }

  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms % 86_400_000L == 0 && ms > 0) {
      return ms / 86_400_000L + "d";
    }
    if (ms % 3_600_000L == 0 && ms > 0) {
      return ms / 3_600_000L + "h";
    }
    if (ms % 60_000L == 0 && ms > 0) {
      return ms / 60_000L + "m";
    }
    if (ms % 1000L == 0) {
      return ms / 1000L + "s";
    }
    return ms + "ms";
  }
}
