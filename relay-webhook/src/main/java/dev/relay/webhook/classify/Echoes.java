package dev.relay.webhook.classify;

import dev.relay.engine.spi.Exchange;
import dev.relay.engine.spi.Outcome;
import java.util.Collection;

/**
 * Removes from a reason what the relay itself sent and must not store: a receiver that quotes the
 * request back in an error body (debug pages do) would otherwise put the endpoint's header values
 * (API keys, bearer tokens) and the signatures into the delivery row, the dead-letter list and the
 * logs, and into the attempt history's response excerpt. Values shorter than {@link #MIN_CHARS} are left alone (they say nothing and match too much).
 */
public final class Echoes {
  static final int MIN_CHARS = 6;
  static final String HIDDEN = "***";

  private Echoes() {}

  /**
   * {@code outcome} with every occurrence of a {@code sent} value in its reason and in its
   * response excerpt (the attempt history) replaced.
   */
  public static Outcome scrub(Outcome outcome, Collection<String> sent) {
    Outcome out = outcome;
    if (out instanceof Outcome.Retry r) {
      String reason = scrub(r.reason(), sent);
      out = reason.equals(r.reason()) ? r : new Outcome.Retry(reason, r.statusCode(), r.retryAfter(), r.exchange());
    } else if (out instanceof Outcome.Terminal t) {
      String reason = scrub(t.reason(), sent);
      out = reason.equals(t.reason()) ? t
          : new Outcome.Terminal(reason, t.statusCode(), t.disableEndpoint(), t.exchange());
    }
    Exchange e = out.exchange();
    String excerpt = e == null ? null : e.responseExcerpt();
    if (e != null && excerpt != null) {
      String scrubbed = scrub(excerpt, sent);
      if (!scrubbed.equals(excerpt)) {
        out = out.with(new Exchange(e.startedAt(), e.duration(), scrubbed));
      }
    }
    return out;
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
