package dev.relay.engine.spi;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What happened to one delivery attempt. The engine turns it into a settle: delivered, rescheduled
 * with backoff, or dead.
 */
public sealed interface Outcome {

  /** The receiver accepted the message (2xx). */
  record Delivered(int statusCode) implements Outcome {}

  /**
   * A failure worth retrying (timeouts, 5xx, 429, ...). {@code retryAfter} is the receiver's
   * requested delay; the engine caps it and never retries sooner than its own backoff.
   */
  record Retry(String reason, @Nullable Integer statusCode, @Nullable Duration retryAfter)
      implements Outcome {
    public Retry {
      Objects.requireNonNull(reason, "reason");
      if (retryAfter != null && retryAfter.isNegative()) {
        throw new IllegalArgumentException("retryAfter must not be negative: " + retryAfter);
      }
    }

    public Optional<Duration> retryAfterHint() {
      return Optional.ofNullable(retryAfter);
    }
  }

  /**
   * A failure that retrying cannot fix (most 4xx, SSRF refusal, bad configuration): the delivery
   * goes straight to the dead letters. With {@code disableEndpoint}, the endpoint is disabled too
   * (410 Gone) and its other deliveries are held until an operator resumes it.
   */
  record Terminal(String reason, @Nullable Integer statusCode, boolean disableEndpoint)
      implements Outcome {
    public Terminal {
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * Not attempted: the transport held the request back (circuit breaker open, endpoint at its
   * concurrency limit, rate limited). The delivery is due again after {@code retryAfter} and the
   * claim does not count against its attempts.
   */
  record Deferred(String reason, Duration retryAfter) implements Outcome {
    public Deferred {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(retryAfter, "retryAfter");
      if (retryAfter.isNegative()) {
        throw new IllegalArgumentException("retryAfter must not be negative: " + retryAfter);
      }
    }
  }

  static Outcome delivered(int statusCode) {
    return new Delivered(statusCode);
  }

  static Outcome retry(String reason) {
    return new Retry(reason, null, null);
  }

  static Outcome retry(String reason, @Nullable Integer statusCode, @Nullable Duration retryAfter) {
    return new Retry(reason, statusCode, retryAfter);
  }

  static Outcome terminal(String reason) {
    return new Terminal(reason, null, false);
  }

  static Outcome terminal(String reason, @Nullable Integer statusCode) {
    return new Terminal(reason, statusCode, false);
  }

  static Outcome deferred(String reason, Duration retryAfter) {
    return new Deferred(reason, retryAfter);
  }

  /** A terminal failure that also disables the endpoint, e.g. HTTP 410 Gone. */
  static Outcome endpointGone(String reason, @Nullable Integer statusCode) {
    return new Terminal(reason, statusCode, true);
  }
}
