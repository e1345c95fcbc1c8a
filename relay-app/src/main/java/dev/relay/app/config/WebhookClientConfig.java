package dev.relay.app.config;

import java.time.Duration;
import java.util.List;

/**
 * The HTTP client every endpoint shares, and the per-endpoint circuit breaker.
 *
 * @param connectTimeout TCP connect timeout (default 5 s)
 * @param maxConnections pooled connections across all endpoints (default 512)
 * @param maxResponseBytes response body bytes read before giving up on the rest (default 64 KiB)
 * @param userAgent the User-Agent header (default {@code relay/<version>})
 * @param allowedNetworks CIDR blocks every endpoint may reach despite the SSRF guard (default none)
 * @param breaker circuit breaker per endpoint
 */
public record WebhookClientConfig(
    Duration connectTimeout,
    int maxConnections,
    int maxResponseBytes,
    String userAgent,
    List<String> allowedNetworks,
    Breaker breaker) {

  public static final WebhookClientConfig DEFAULT =
      new WebhookClientConfig(
          Duration.ofSeconds(5), 512, 64 * 1024, "relay/0.1", List.of(), Breaker.DEFAULT);

  public WebhookClientConfig {
    allowedNetworks = List.copyOf(allowedNetworks);
    if (connectTimeout.isZero() || connectTimeout.isNegative()) {
      throw new IllegalArgumentException("webhook.connect-timeout must be positive");
    }
    if (maxConnections < 1) {
      throw new IllegalArgumentException("webhook.max-connections must be >= 1");
    }
    if (maxResponseBytes < 0) {
      throw new IllegalArgumentException("webhook.max-response-bytes must be >= 0");
    }
  }

  /**
   * Opens after {@code failureRateThreshold} percent of the last {@code slidingWindow} calls
   * failed (once at least {@code minimumCalls} were made); stays open {@code openDuration}, then
   * lets {@code halfOpenCalls} trial deliveries through.
   */
  public record Breaker(
      int failureRateThreshold,
      int slidingWindow,
      int minimumCalls,
      Duration openDuration,
      int halfOpenCalls) {

    public static final Breaker DEFAULT = new Breaker(50, 50, 20, Duration.ofSeconds(30), 3);

    public Breaker {
      if (failureRateThreshold < 1 || failureRateThreshold > 100) {
        throw new IllegalArgumentException(
            "webhook.breaker.failure-rate-threshold must be within 1..100, was " + failureRateThreshold);
      }
      if (slidingWindow < 1 || minimumCalls < 1 || halfOpenCalls < 1) {
        throw new IllegalArgumentException(
            "webhook.breaker.sliding-window, minimum-calls and half-open-calls must be >= 1");
      }
      if (openDuration.isZero() || openDuration.isNegative()) {
        throw new IllegalArgumentException("webhook.breaker.open-duration must be positive");
      }
    }
  }
}
