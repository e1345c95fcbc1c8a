package dev.relay.webhook.resilience;

import dev.relay.engine.spi.Outcome;
import dev.relay.webhook.config.BreakerSettings;
import dev.relay.webhook.config.RateLimit;
import dev.relay.webhook.ssrf.SsrfRefusedException;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowSynchronizationStrategy;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.RequestNotPermitted;
import io.github.resilience4j.reactor.bulkhead.operator.BulkheadOperator;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.github.resilience4j.reactor.ratelimiter.operator.RateLimiterOperator;
import java.time.Duration;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * The circuit breaker, bulkhead and optional rate limiter of one endpoint, applied in that order
 * around an attempt: the bulkhead first (a rejected attempt never touches the breaker's counts),
 * then the breaker (open: nothing is sent), then the rate limiter.
 *
 * <p>The breaker judges outcomes, not just errors: a {@link Outcome.Retry} result (5xx, 429, 3xx,
 * ...) and any transport error count as failures; delivered and terminal outcomes (the receiver
 * answered, e.g. 400) as successes. SSRF refusals and rate-limit rejections are ignored: they say
 * nothing about the receiver's health. After the open duration the breaker turns half-open by
 * itself, so {@link #state()} reports a trial is due even though nothing calls it while open.
 */
public final class EndpointGuards {

  private final CircuitBreaker breaker;
  private final Bulkhead bulkhead;
  private final @Nullable RateLimiter rateLimiter;

  private EndpointGuards(
      CircuitBreaker breaker, Bulkhead bulkhead, @Nullable RateLimiter rateLimiter) {
    this.breaker = breaker;
    this.bulkhead = bulkhead;
    this.rateLimiter = rateLimiter;
  }

  public static EndpointGuards create(
      String endpoint, BreakerSettings settings, int maxInFlight, @Nullable RateLimit rateLimit) {
    CircuitBreakerConfig breakerConfig =
        CircuitBreakerConfig.custom()
            .failureRateThreshold(settings.failureRateThreshold())
            .slidingWindowType(SlidingWindowType.COUNT_BASED)
            .slidingWindowSize(settings.slidingWindow())
            .minimumNumberOfCalls(settings.minimumCalls())
            // The synchronized window takes a lock, which can park an event-loop thread.
            .slidingWindowSynchronizationStrategy(SlidingWindowSynchronizationStrategy.LOCK_FREE)
            .waitDurationInOpenState(settings.openDuration())
            .permittedNumberOfCallsInHalfOpenState(settings.halfOpenCalls())
            .automaticTransitionFromOpenToHalfOpenEnabled(true)
            .recordResult(result -> result instanceof Outcome.Retry)
            .ignoreExceptions(
                SsrfRefusedException.class, RequestNotPermitted.class, BulkheadFullException.class)
            .build();
    Bulkhead bulkhead =
        Bulkhead.of(endpoint,
            BulkheadConfig.custom()
                .maxConcurrentCalls(maxInFlight)
                .maxWaitDuration(Duration.ZERO) // never park a thread: reject at once
                .build());
    RateLimiter limiter =
        rateLimit == null
            ? null
            : RateLimiter.of(endpoint,
                RateLimiterConfig.custom()
                    .limitForPeriod(rateLimit.limit())
                    .limitRefreshPeriod(rateLimit.period())
                    .timeoutDuration(Duration.ZERO)
                    .build());
    return new EndpointGuards(CircuitBreaker.of(endpoint, breakerConfig), bulkhead, limiter);
  }

  /**
   * {@code attempt} behind the guards. Rejections surface as {@code BulkheadFullException},
   * {@code CallNotPermittedException} or {@code RequestNotPermitted} errors, before {@code
   * attempt} is subscribed (nothing is sent).
   */
  public <T> Mono<T> protect(Mono<T> attempt) {
    Mono<T> limited =
        rateLimiter == null ? attempt : attempt.transformDeferred(RateLimiterOperator.of(rateLimiter));
    return limited
        .transformDeferred(CircuitBreakerOperator.of(breaker))
        .transformDeferred(BulkheadOperator.of(bulkhead));
  }

  public BreakerState state() {
    return BreakerState.of(breaker.getState());
  }

  /** The configured concurrency cap (the bulkhead size). */
  public int maxInFlight() {
    return bulkhead.getBulkheadConfig().getMaxConcurrentCalls();
  }

  /** Attempts running now (admitted by the bulkhead and not yet finished). */
  public int inFlight() {
    return maxInFlight() - bulkhead.getMetrics().getAvailableConcurrentCalls();
  }

  /** Failure percentage over the window, or -1 before the minimum number of calls. */
  public float failureRate() {
    return breaker.getMetrics().getFailureRate();
  }

  /** Calls {@code listener} with the new state after every breaker transition. */
  public void onStateChange(Consumer<BreakerState> listener) {
    breaker.getEventPublisher()
        .onStateTransition(e -> listener.accept(BreakerState.of(e.getStateTransition().getToState())));
  }
}
