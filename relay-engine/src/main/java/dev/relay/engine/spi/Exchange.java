package dev.relay.engine.spi;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a deliverer saw of one attempt, for the attempt history: when it started (the relay's
 * clock), how long it took, and the first bytes of the response body. The engine caps the excerpt
 * at {@link #MAX_EXCERPT_CHARS} and removes characters Postgres text cannot hold; a deliverer must
 * not read more of a body than it would anyway just to fill it, and must never put the request
 * body or anything it sent (secrets, signatures) in it.
 *
 * @param startedAt when the request was started
 * @param duration from start to the response (status and the body read for the excerpt)
 * @param responseExcerpt the start of the response body, decoded as text; null when none arrived
 */
public record Exchange(Instant startedAt, Duration duration, @Nullable String responseExcerpt) {

  /** The most of a response body kept per attempt (1 KiB of ASCII). */
  public static final int MAX_EXCERPT_CHARS = 1024;

  public Exchange {
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(duration, "duration");
    if (duration.isNegative()) {
      throw new IllegalArgumentException("duration must not be negative: " + duration);
    }
    responseExcerpt = responseExcerpt == null ? null : excerpt(responseExcerpt);
  }

  /**
   * {@code text} cut to {@link #MAX_EXCERPT_CHARS} (never in the middle of a surrogate pair), NUL
   * and other control characters except tab, CR and LF replaced by U+FFFD: Postgres text cannot
   * store NUL, and an operator's terminal should not interpret a receiver's escapes.
   */
  static String excerpt(String text) {
    int end = Math.min(text.length(), MAX_EXCERPT_CHARS);
    if (end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
      end--;
    }
    StringBuilder out = null;
    for (int i = 0; i < end; i++) {
      char c = text.charAt(i);
      boolean control = Character.isISOControl(c) && c != '\t' && c != '\n' && c != '\r';
      if (control && out == null) {
        out = new StringBuilder(end).append(text, 0, i);
      }
      if (out != null) {
        out.append(control ? '\uFFFD' : c);
      }
    }
    return out != null ? out.toString() : text.substring(0, end);
  }
}
