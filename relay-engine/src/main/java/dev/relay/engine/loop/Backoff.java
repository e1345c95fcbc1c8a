package dev.relay.engine.loop;

import dev.relay.engine.config.RetryPolicy;
import java.time.Duration;
import java.util.function.DoubleSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Capped exponential backoff with jitter. After failed attempt {@code n} the next one waits
 * {@code min(cap, initial * factor^(n-1))}, spread by ±jitter and never above the cap. A
 * receiver's Retry-After (itself capped) lengthens the wait, never shortens it.
 */
final class Backoff {
  private final RetryPolicy policy;
  private final DoubleSupplier random;

  Backoff(RetryPolicy policy, DoubleSupplier random) {
    this.policy = policy;
    this.random = random;
  }

  Duration delayAfter(int failedAttempt, @Nullable Duration retryAfter) {
    double capMillis = policy.cap().toMillis();
    double base = policy.initial().toMillis() * Math.pow(policy.factor(), Math.max(0, failedAttempt - 1));
    base = Math.min(capMillis, base);
    double spread = 1 - policy.jitter() + 2 * policy.jitter() * random.getAsDouble();
    long millis = (long) Math.min(capMillis, Math.max(0, base * spread));
    if (retryAfter != null) {
      long requested = Math.min(retryAfter.toMillis(), policy.maxRetryAfter().toMillis());
      millis = Math.max(millis, requested);
    }
    return Duration.ofMillis(millis);
  }

  /** A transport's own wait (deferral), bounded by the Retry-After cap. */
  Duration capRetryAfter(Duration retryAfter) {
    return retryAfter.compareTo(policy.maxRetryAfter()) > 0 ? policy.maxRetryAfter() : retryAfter;
  }

  boolean exhausted(int attempt) {
    return attempt >= policy.maxAttempts();
  }
}
