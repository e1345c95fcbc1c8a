package dev.relay.webhook.config;

import java.time.Duration;

/**
 * The circuit breaker every endpoint gets (YAML {@code webhook.breaker}). It judges the last
 * {@code slidingWindow} attempts: once at least {@code minimumCalls} were made and at least {@code
 * failureRateThreshold} percent of them failed retryably (timeouts, connection failures, 5xx, 429,
 * 408, 425, 3xx), it opens. While open no request is sent and the endpoint is reported by {@code
 * WebhookDeliverer.unavailableEndpoints()} so the engine does not claim its rows. After {@code
 * openDuration} it turns half-open by itself and lets {@code halfOpenCalls} trial attempts through;
 * their outcome closes or re-opens it. Terminal 4xx answers count as successes: the receiver is up.
 *
 * @param failureRateThreshold failure percentage that opens the breaker, 1..100 (default 50);
 *     key {@code webhook.breaker.failure-rate-threshold}
 * @param slidingWindow attempts in the window (default 50); key {@code
 *     webhook.breaker.sliding-window}
 * @param minimumCalls attempts needed before the rate is judged, 1..slidingWindow (default 20);
 *     key {@code webhook.breaker.minimum-calls}
 * @param openDuration how long the breaker stays open before trials (default 30 s); key {@code
 *     webhook.breaker.open-duration}
 * @param halfOpenCalls trial attempts while half-open (default 3); key {@code
 *     webhook.breaker.half-open-calls}
 */
public record BreakerSettings(
    float failureRateThreshold,
    int slidingWindow,
    int minimumCalls,
    Duration openDuration,
    int halfOpenCalls) {

  public static final BreakerSettings DEFAULTS =
      new BreakerSettings(50f, 50, 20, Duration.ofSeconds(30), 3);

  public BreakerSettings {
    if (!(failureRateThreshold > 0 && failureRateThreshold <= 100)) {
      throw new IllegalArgumentException(
          "webhook.breaker.failure-rate-threshold must be in (0, 100], was "
              + failureRateThreshold);
    }
    Checks.atLeast("webhook.breaker.sliding-window", 1, slidingWindow);
    Checks.atLeast("webhook.breaker.minimum-calls", 1, minimumCalls);
    if (minimumCalls > slidingWindow) {
      throw new IllegalArgumentException(
          "webhook.breaker.minimum-calls must not exceed webhook.breaker.sliding-window ("
              + slidingWindow + "), was " + minimumCalls);
    }
    Checks.positive("webhook.breaker.open-duration", openDuration);
    Checks.atLeast("webhook.breaker.half-open-calls", 1, halfOpenCalls);
  }
}
