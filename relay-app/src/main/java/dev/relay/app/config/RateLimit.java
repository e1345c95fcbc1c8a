package dev.relay.app.config;

import java.time.Duration;

/**
 * At most {@code permits} deliveries per {@code period} to one endpoint. Written in YAML as
 * {@code 50/s}, {@code 600/m}, {@code 10000/h} or {@code 5/500ms}.
 */
public record RateLimit(int permits, Duration period) {

  public RateLimit {
    if (permits < 1) {
      throw new IllegalArgumentException("rate-limit permits must be >= 1, was " + permits);
    }
    if (period.isZero() || period.isNegative()) {
      throw new IllegalArgumentException("rate-limit period must be positive, was " + period);
    }
  }

  static RateLimit parse(String text) {
    int slash = text.indexOf('/');
    if (slash < 1) {
      throw new IllegalArgumentException(
          "must look like 50/s, 600/m or 5/500ms (deliveries per period), was '" + text + "'");
    }
    int permits;
    try {
      permits = Integer.parseInt(text.substring(0, slash).trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "must start with a whole number of deliveries, e.g. 50/s, was '" + text + "'", e);
    }
    String unit = text.substring(slash + 1).trim();
    Duration period =
        switch (unit) {
          case "s" -> Duration.ofSeconds(1);
          case "m" -> Duration.ofMinutes(1);
          case "h" -> Duration.ofHours(1);
          default -> Durations.parse(unit);
        };
    return new RateLimit(permits, period);
  }

  @Override
  public String toString() {
    return permits + "/" + Durations.format(period);
  }
}
