package dev.relay.engine.loop;

import dev.relay.engine.spi.Outcome;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** Turns a deliverer's outcome into a settlement: the one place retry-or-dead is decided. */
final class Settlements {
  /** Errors are stored for operators; keep rows narrow. */
  static final int MAX_ERROR_LENGTH = 1000;

  private final Backoff backoff;

  Settlements(Backoff backoff) {
    this.backoff = backoff;
  }

  Settlement settle(Claimed claimed, Outcome outcome) {
    int attempt = claimed.delivery().attempt();
    if (outcome instanceof Outcome.Delivered d) {
      return new Settlement(claimed, Settlement.DELIVERED, 0, d.statusCode(), null, null, 0, null, d.exchange());
    }
    if (outcome instanceof Outcome.Retry r) {
      Long hold = endpointHold(r.retryAfter());
      if (backoff.exhausted(attempt)) {
        String error = "gave up after " + attempt + " attempt" + (attempt == 1 ? "" : "s") + ": " + r.reason();
        return new Settlement(claimed, Settlement.DEAD, 0, r.statusCode(), truncate(error), null, 0, hold,
            r.exchange());
      }
      Duration delay = backoff.delayAfter(attempt, r.retryAfter());
      return new Settlement(claimed, Settlement.PENDING, delay.toMillis(), r.statusCode(), truncate(r.reason()),
          null, 0, hold, r.exchange());
    }
    if (outcome instanceof Outcome.Deferred d) {
      return new Settlement(claimed, Settlement.PENDING, backoff.capRetryAfter(d.retryAfter()).toMillis(), null,
          truncate(d.reason()), null, 1, null);
    }
    Outcome.Terminal t = (Outcome.Terminal) outcome;
    return new Settlement(claimed, Settlement.DEAD, 0, t.statusCode(), truncate(t.reason()),
        t.disableEndpoint() ? truncate(t.reason()) : null, 0, null, t.exchange());
  }

  /**
   * A row given back without an attempt: due after {@code delay}, its attempt not counted, its
   * last status and error kept.
   */
  static Settlement handBack(Claimed claimed, Duration delay) {
    return new Settlement(claimed, Settlement.PENDING, delay.toMillis(), null, null, null, 1, null);
  }

  /** How long a receiver's Retry-After holds its endpoint (capped like the row's own delay). */
  @Nullable Long endpointHold(@Nullable Duration retryAfter) {
    return retryAfter == null || retryAfter.isZero() ? null : backoff.capRetryAfter(retryAfter).toMillis();
  }

  static String truncate(String text) {
    return text.length() <= MAX_ERROR_LENGTH ? text : text.substring(0, MAX_ERROR_LENGTH - 1) + "…";
  }
}
