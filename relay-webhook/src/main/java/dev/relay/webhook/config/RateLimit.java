package dev.relay.webhook.config;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * At most {@code limit} requests per {@code period} to one endpoint (YAML {@code
 * endpoints[].rate-limit}, e.g. {@code 50/s}). An attempt over the limit is not sent and comes
 * back as a retry.
 *
 * @param limit requests per period, >= 1
 * @param period the refresh period, at least 1 ms
 */
public record RateLimit(int limit, Duration period) {

  private static final Pattern TEXT =
      Pattern.compile("\\s*(\\d{1,9})\\s*/\\s*(\\d*)\\s*(ms|s|m|h)\\s*");

  public RateLimit {
    Checks.atLeast("rate-limit", 1, limit);
    Objects.requireNonNull(period, "period");
    if (period.toMillis() < 1) {
      throw new IllegalArgumentException("rate-limit period must be at least 1ms, was " + period);
    }
  }

  public static RateLimit perSecond(int limit) {
    return new RateLimit(limit, Duration.ofSeconds(1));
  }

  /**
   * Parses {@code N/s}, {@code N/m}, {@code N/h} or {@code N/<amount><unit>} (units ms, s, m, h),
   * e.g. {@code 50/s}, {@code 1000/m}, {@code 5/500ms}.
   *
   * @param key the configuration key, named in the error
   */
  public static RateLimit parse(String key, String text) {
    Matcher m = TEXT.matcher(text == null ? "" : text.toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException(
          key + " must look like 50/s, 1000/m, 10/h or 5/500ms, was '" + text + "'");
    }
    long amount = m.group(2).isEmpty() ? 1 : Long.parseLong(m.group(2));
    Duration unit =
        switch (m.group(3)) {
          case "ms" -> Duration.ofMillis(1);
          case "s" -> Duration.ofSeconds(1);
          case "m" -> Duration.ofMinutes(1);
          default -> Duration.ofHours(1);
        };
    try {
      return new RateLimit(Integer.parseInt(m.group(1)), unit.multipliedBy(amount));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + ": " + e.getMessage(), null);
    }
  }

  @Override
  public String toString() {
    return limit + "/" + period;
  }
}
