package dev.relay.engine.config;

import java.time.Duration;

/**
 * Capped exponential backoff with jitter: the n-th retry waits {@code min(cap, initial *
 * factor^(n-1))}, then randomised by {@code ±jitter}; after {@code maxAttempts} attempts the
 * delivery is dead. A receiver's Retry-After is honoured up to {@code maxRetryAfter}.
 *
 * @param initial delay before the first retry (default 5 s)
 * @param factor growth per attempt, at least 1 (default 2.0)
 * @param cap the longest delay between attempts (default 1 h)
 * @param jitter fraction of the delay to randomise, 0..1 (default 0.2)
 * @param maxAttempts attempts before a delivery is dead, at least 1 (default 12)
 * @param maxRetryAfter the longest Retry-After honoured (default 1 h)
 */
public record RetryPolicy(
    Duration initial,
    double factor,
    Duration cap,
    double jitter,
    int maxAttempts,
    Duration maxRetryAfter) {

  public static final RetryPolicy DEFAULT =
      new RetryPolicy(Duration.ofSeconds(5), 2.0, Duration.ofHours(1), 0.2, 12, Duration.ofHours(1));

  public RetryPolicy {
    Checks.positive("delivery.retry.initial", initial);
    Checks.positive("delivery.retry.cap", cap);
    Checks.positive("delivery.retry.max-retry-after", maxRetryAfter);
    if (!(factor >= 1.0) || Double.isInfinite(factor)) {
      throw new IllegalArgumentException("delivery.retry.factor must be >= 1, was " + factor);
    }
    if (!(jitter >= 0.0 && jitter <= 1.0)) {
      throw new IllegalArgumentException("delivery.retry.jitter must be within 0..1, was " + jitter);
    }
    if (maxAttempts < 1) {
      throw new IllegalArgumentException(
          "delivery.retry.max-attempts must be >= 1, was " + maxAttempts);
    }
    if (cap.compareTo(initial) < 0) {
      throw new IllegalArgumentException(
          "delivery.retry.cap (" + cap + ") must not be shorter than delivery.retry.initial (" + initial + ")");
    }
  }
}
