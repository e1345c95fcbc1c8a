package dev.relay.engine.loop;

import dev.relay.engine.spi.Outcome;
import java.time.Duration;

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
      return new Settlement(claimed, Settlement.DELIVERED, 0, d.statusCode(), null, null, 0);
    }
    if (outcome instanceof Outcome.Retry r) {
      if (backoff.exhausted(attempt)) {
        String error = "gave up after " + attempt + " attempt" + (attempt == 1 ? "" : "s") + ": " + r.reason();
        return new Settlement(claimed, Settlement.DEAD, 0, r.statusCode(), truncate(error), null, 0);
      }
      Duration delay = backoff.delayAfter(attempt, r.retryAfter());
      return new Settlement(claimed, Settlement.PENDING, delay.toMillis(), r.statusCode(), truncate(r.reason()), null, 0);
    }
    if (outcome instanceof Outcome.Deferred d) {
      return new Settlement(claimed, Settlement.PENDING, backoff.capRetryAfter(d.retryAfter()).toMillis(), null,
          truncate(d.reason()), null, 1);
    }
    Outcome.Terminal t = (Outcome.Terminal) outcome;
    return new Settlement(claimed, Settlement.DEAD, 0, t.statusCode(), truncate(t.reason()),
        t.disableEndpoint() ? truncate(t.reason()) : null, 0);
  }

  static String truncate(String text) {
    return text.length() <= MAX_ERROR_LENGTH ? text : text.substring(0, MAX_ERROR_LENGTH - 1) + "…";
  }
}
