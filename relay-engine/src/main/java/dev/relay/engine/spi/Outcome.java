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

  /**
   * What the deliverer saw of the attempt (start, duration, response excerpt) for the attempt
   * history; null when it did not say (the engine then records its own timing, without excerpt).
   * Always null for {@link Deferred}: nothing was sent.
   */
  @Nullable Exchange exchange();

  /** This outcome with {@code exchange} attached (a deferred outcome stays as it is: nothing was sent). */
  Outcome with(@Nullable Exchange exchange);

  /** The receiver accepted the message (2xx). */
  record Delivered(int statusCode, @Nullable Exchange exchange) implements Outcome {
    public Delivered(int statusCode) {
      this(statusCode, null);
    }

    @Override
    public Delivered with(@Nullable Exchange value) {
      return new Delivered(statusCode, value);
    }
  }

  /**
   * A failure worth retrying (timeouts, 5xx, 429, ...). {@code retryAfter} is the receiver's
   * requested delay; the engine caps it and never retries sooner than its own backoff.
   */
  record Retry(String reason, @Nullable Integer statusCode, @Nullable Duration retryAfter,
      @Nullable Exchange exchange) implements Outcome {
    public Retry(String reason, @Nullable Integer statusCode, @Nullable Duration retryAfter) {
      this(reason, statusCode, retryAfter, null);
    }

    public Retry {
      Objects.requireNonNull(reason, "reason");
      if (retryAfter != null && retryAfter.isNegative()) {
        throw new IllegalArgumentException("retryAfter must not be negative: " + retryAfter);
      }
    }

    public Optional<Duration> retryAfterHint() {
      return Optional.ofNullable(retryAfter);
    }

    @Override
    public Retry with(@Nullable Exchange value) {
      return new Retry(reason, statusCode, retryAfter, value);
    }
  }

  /**
   * A failure that retrying cannot fix (most 4xx, SSRF refusal, bad configuration): the delivery
   * goes straight to the dead letters. With {@code disableEndpoint}, the endpoint is disabled too
   * (410 Gone) and its other deliveries are held until an operator resumes it.
   */
  record Terminal(String reason, @Nullable Integer statusCode, boolean disableEndpoint,
      @Nullable Exchange exchange) implements Outcome {
    public Terminal(String reason, @Nullable Integer statusCode, boolean disableEndpoint) {
      this(reason, statusCode, disableEndpoint, null);
    }

    public Terminal {
      Objects.requireNonNull(reason, "reason");
    }

    @Override
    public Terminal with(@Nullable Exchange value) {
      return new Terminal(reason, statusCode, disableEndpoint, value);
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

    @Override
    public @Nullable Exchange exchange() {
      return null;
    }

    @Override
    public Deferred with(@Nullable Exchange value) {
      return this;
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
