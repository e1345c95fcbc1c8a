package dev.relay.webhook.classify;

import dev.relay.engine.spi.Outcome;

/** The one word for an outcome, shared by the metric tag, the span attribute and the log field. */
public final class OutcomeNames {
  private OutcomeNames() {}

  /** {@code delivered}, {@code retry}, {@code terminal}, {@code endpoint_gone} or {@code deferred}. */
  public static String of(Outcome outcome) {
    if (outcome instanceof Outcome.Delivered) {
      return "delivered";
    }
    if (outcome instanceof Outcome.Retry) {
      return "retry";
    }
    if (outcome instanceof Outcome.Deferred) {
      return "deferred";
    }
    return ((Outcome.Terminal) outcome).disableEndpoint() ? "endpoint_gone" : "terminal";
  }

  /** The reply's status code, when the outcome came from one. */
  public static @org.jspecify.annotations.Nullable Integer status(Outcome outcome) {
    if (outcome instanceof Outcome.Delivered d) {
      return d.statusCode();
    }
    if (outcome instanceof Outcome.Retry r) {
      return r.statusCode();
    }
    return outcome instanceof Outcome.Terminal t ? t.statusCode() : null;
  }
}
