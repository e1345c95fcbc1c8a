package dev.relay.app.admin;

import org.jspecify.annotations.Nullable;

/** The delivery transport's circuit-breaker state per endpoint, for the endpoint listing. */
@FunctionalInterface
public interface BreakerStates {
  BreakerStates NONE = endpoint -> null;

  /** {@code closed}, {@code open}, {@code half_open}, ... or null when the endpoint has no breaker yet. */
  @Nullable String stateOf(String endpoint);
}
