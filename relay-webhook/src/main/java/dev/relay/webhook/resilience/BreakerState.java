package dev.relay.webhook.resilience;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;

/** An endpoint's circuit breaker state, as shown by the admin API and the state gauge. */
public enum BreakerState {
  /** Requests flow; failures are counted. */
  CLOSED,
  /** No request is sent; the endpoint's rows are not claimed. */
  OPEN,
  /** A few trial requests decide whether to close or re-open. */
  HALF_OPEN,
  /** Forced open by an operator. */
  FORCED_OPEN,
  /** Disabled: always lets requests through, records nothing. */
  DISABLED,
  /** Records but never opens. */
  METRICS_ONLY;

  /** The value's lower-case tag form, e.g. {@code half_open}. */
  public String tag() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** True if no request may be sent now. */
  public boolean blocksRequests() {
    return this == OPEN || this == FORCED_OPEN;
  }

  static BreakerState of(CircuitBreaker.State state) {
    return switch (state) {
      case CLOSED -> CLOSED;
      case OPEN -> OPEN;
      case HALF_OPEN -> HALF_OPEN;
      case FORCED_OPEN -> FORCED_OPEN;
      case DISABLED -> DISABLED;
      case METRICS_ONLY -> METRICS_ONLY;
    };
  }
}
