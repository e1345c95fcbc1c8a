package dev.relay.engine.config;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * When a failing endpoint is disabled automatically. An endpoint whose every attempt failed for
 * {@code after} (database time since the first failed attempt of the streak), with at least
 * {@code minFailedAttempts} failed attempts, is disabled at its next failed attempt: its
 * deliveries are kept pending and not claimed until an operator resumes it. At half of both it is
 * warned (log line, gauge, admin API). Any delivered attempt ends the streak.
 *
 * @param after how long every attempt must have failed (default 5 days); zero turns automatic
 *     disabling and its warning off (the streak is still tracked and shown)
 * @param minFailedAttempts failed attempts the streak needs as well (default 20), so that an
 *     endpoint with few deliveries is not disabled on the strength of two or three failures
 */
public record AutoDisablePolicy(Duration after, int minFailedAttempts) {

  public static final AutoDisablePolicy DEFAULT = new AutoDisablePolicy(Duration.ofDays(5), 20);

  /** Never disables or warns. */
  public static final AutoDisablePolicy OFF = new AutoDisablePolicy(Duration.ZERO, DEFAULT.minFailedAttempts());

  public AutoDisablePolicy {
    if (after == null || after.isNegative()) {
      throw new IllegalArgumentException(
          "delivery.auto-disable.after must be a duration of zero (off) or more, was " + after);
    }
    Checks.positive("delivery.auto-disable.min-failed-attempts", minFailedAttempts);
  }

  public boolean enabled() {
    return !after.isZero();
  }

  /** The window in milliseconds for the settle statement, or null when off. */
  public @Nullable Long afterMillis() {
    return enabled() ? after.toMillis() : null;
  }
}
