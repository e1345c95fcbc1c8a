package dev.relay.webhook.classify;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Parses {@code Retry-After} (RFC 9110 10.2.3): delta-seconds or an HTTP-date, capped. A date in
 * the past means "now" (zero); anything unparsable is ignored (null), so the engine's own backoff
 * applies.
 */
final class RetryAfter {

  /** RFC 850 and asctime dates, obsolete but still to be accepted by recipients. */
  private static final DateTimeFormatter RFC_850 =
      DateTimeFormatter.ofPattern("EEEE, dd-MMM-yy HH:mm:ss zzz", Locale.US);

  private static final DateTimeFormatter ASCTIME =
      DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US)
          .withZone(java.time.ZoneOffset.UTC);

  private RetryAfter() {}

  static @Nullable Duration parse(@Nullable String value, Clock clock, Duration cap) {
    if (value == null) {
      return null;
    }
    String v = value.trim();
    if (v.isEmpty()) {
      return null;
    }
    Duration delay = v.chars().allMatch(Character::isDigit) ? seconds(v) : untilDate(v, clock);
    if (delay == null) {
      return null;
    }
    if (delay.isNegative()) {
      return Duration.ZERO;
    }
    return delay.compareTo(cap) > 0 ? cap : delay;
  }

  private static Duration seconds(String digits) {
    // Huge values are simply "longer than the cap".
    return digits.length() > 12 ? Duration.ofSeconds(999_999_999_999L)
        : Duration.ofSeconds(Long.parseLong(digits));
  }

  private static @Nullable Duration untilDate(String value, Clock clock) {
    Instant at = date(value);
    return at == null ? null : Duration.between(clock.instant(), at);
  }

  private static @Nullable Instant date(String value) {
    for (DateTimeFormatter f :
        new DateTimeFormatter[] {DateTimeFormatter.RFC_1123_DATE_TIME, RFC_850, ASCTIME}) {
      try {
        return ZonedDateTime.parse(value, f).toInstant();
      } catch (DateTimeParseException e) {
        // try the next format
      }
    }
    return null;
  }
}
