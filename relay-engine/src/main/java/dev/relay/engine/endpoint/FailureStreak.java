package dev.relay.engine.endpoint;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * An endpoint whose every attempt has failed since {@code since} (database time). Any delivered
 * attempt ends it; resuming the endpoint clears it.
 *
 * @param failedAttempts failed attempts in the streak
 * @param warnedAt when it reached half the auto-disable window (and half the attempts): the
 *     warning; null before, or when automatic disabling is off
 * @param disableAfter when automatic disabling is on: the time after which the next failed
 *     attempt disables the endpoint, provided the streak has the minimum failed attempts by then
 *     (an estimate: it happens at a failed attempt, not on a timer)
 */
public record FailureStreak(Instant since, int failedAttempts, @Nullable Instant warnedAt,
    @Nullable Instant disableAfter) {

  /** Whether the warning was given. */
  public boolean warning() {
    return warnedAt != null;
  }
}
