package dev.relay.webhook.classify;

import dev.relay.engine.spi.Outcome;
import java.util.Collection;

/**
 * Removes from a reason what the relay itself sent and must not store: a receiver that quotes the
 * request back in an error body (debug pages do) would otherwise put the endpoint's header values
 * (API keys, bearer tokens) and the signatures into the delivery row, the dead-letter list and the
 * logs. Values shorter than {@link #MIN_CHARS} are left alone (they say nothing and match too much).
 */
public final class Echoes {
  static final int MIN_CHARS = 6;
  static final String HIDDEN = "***";

  private Echoes() {}

  /** {@code outcome} with every occurrence of a {@code sent} value in its reason replaced. */
  public static Outcome scrub(Outcome outcome, Collection<String> sent) {
    if (outcome instanceof Outcome.Retry r) {
      String reason = scrub(r.reason(), sent);
      return reason.equals(r.reason()) ? r : new Outcome.Retry(reason, r.statusCode(), r.retryAfter());
    }
    if (outcome instanceof Outcome.Terminal t) {
      String reason = scrub(t.reason(), sent);
      return reason.equals(t.reason()) ? t : new Outcome.Terminal(reason, t.statusCode(), t.disableEndpoint());
    }
    return outcome;
  }

  static String scrub(String reason, Collection<String> sent) {
    String out = reason;
    for (String value : sent) {
      if (value.length() >= MIN_CHARS && out.contains(value)) {
        out = out.replace(value, HIDDEN);
      }
    }
    return out;
  }
}
