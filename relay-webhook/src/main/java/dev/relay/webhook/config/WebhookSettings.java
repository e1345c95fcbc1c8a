package dev.relay.webhook.config;

import dev.relay.webhook.ssrf.Cidr;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Settings shared by every webhook endpoint (YAML section {@code webhook}). {@link #DEFAULTS}
 * holds the documented defaults; the {@code with...} methods change one value.
 *
 * @param connectTimeout TCP connect timeout (default 5 s); key {@code webhook.connect-timeout}
 * @param attemptDeadline total time one attempt may take, from acquiring a connection to the last
 *     body byte read; an overrun is a retryable failure (default 25 s). Keep it below the engine's
 *     {@code delivery.attempt-timeout} so this deliverer's reason is the one recorded. Key {@code
 *     webhook.attempt-deadline}
 * @param maxResponseBytes most response body bytes read; past this the connection is closed
 *     rather than drained (default 65536). The first bytes become part of the reason shown to
 *     operators. Key {@code webhook.max-response-bytes}
 * @param maxRetryAfter longest {@code Retry-After} honoured; longer ones are capped (default 1 h);
 *     key {@code webhook.max-retry-after}
 * @param maxConnections upper bound of pooled connections per endpoint; each endpoint's pool is
 *     also bounded by that endpoint's max-in-flight (default 512); key {@code
 *     webhook.max-connections}
 * @param poolMaxIdleTime an idle keep-alive connection older than this is closed rather than
 *     reused (default 30 s); key {@code webhook.pool-max-idle-time}
 * @param allowedNetworks CIDR blocks every endpoint may reach although the SSRF guard refuses
 *     them by default (default none); key {@code webhook.allowed-networks}
 * @param allowHttp accept plain {@code http://} URLs for every endpoint (default false); key
 *     {@code webhook.allow-http}
 * @param userAgent the {@code User-Agent} header (default {@code Relay/<version>}); key {@code
 *     webhook.user-agent}
 * @param rejectedRetryAfter retry hint for attempts not sent because the circuit breaker, bulkhead
 *     or rate limiter refused them (default 1 s); key {@code webhook.rejected-retry-after}
 * @param breaker the per-endpoint circuit breaker; key {@code webhook.breaker}
 */
public record WebhookSettings(
    Duration connectTimeout,
    Duration attemptDeadline,
    int maxResponseBytes,
    Duration maxRetryAfter,
    int maxConnections,
    Duration poolMaxIdleTime,
    List<String> allowedNetworks,
    boolean allowHttp,
    String userAgent,
    Duration rejectedRetryAfter,
    BreakerSettings breaker) {

  /** The default {@code User-Agent}: {@code Relay/} and this build's version. */
  public static final String DEFAULT_USER_AGENT = "Relay/" + RelayVersion.VERSION;

  public static final WebhookSettings DEFAULTS =
      new WebhookSettings(
          Duration.ofSeconds(5),
          Duration.ofSeconds(25),
          65_536,
          Duration.ofHours(1),
          512,
          Duration.ofSeconds(30),
          List.of(),
          false,
          DEFAULT_USER_AGENT,
          Duration.ofSeconds(1),
          BreakerSettings.DEFAULTS);

  public WebhookSettings {
    Checks.positive("webhook.connect-timeout", connectTimeout);
    Checks.positive("webhook.attempt-deadline", attemptDeadline);
    Checks.atLeast("webhook.max-response-bytes", 256, maxResponseBytes);
    Checks.positive("webhook.max-retry-after", maxRetryAfter);
    Checks.atLeast("webhook.max-connections", 1, maxConnections);
    Checks.positive("webhook.pool-max-idle-time", poolMaxIdleTime);
    allowedNetworks = List.copyOf(Checks.present("webhook.allowed-networks", allowedNetworks));
    for (int i = 0; i < allowedNetworks.size(); i++) {
      Cidr.parse("webhook.allowed-networks[" + i + "]", allowedNetworks.get(i));
    }
    Checks.present("webhook.user-agent", userAgent);
    if (userAgent.isBlank() || Headers.hasControlCharacter(userAgent)) {
      throw new IllegalArgumentException(
          "webhook.user-agent must be non-empty printable text");
    }
    Checks.positive("webhook.rejected-retry-after", rejectedRetryAfter);
    Checks.present("webhook.breaker", breaker);
  }

  /** The global allow-list, parsed. */
  public List<Cidr> allowedCidrs() {
    List<Cidr> out = new ArrayList<>(allowedNetworks.size());
    for (int i = 0; i < allowedNetworks.size(); i++) {
      out.add(Cidr.parse("webhook.allowed-networks[" + i + "]", allowedNetworks.get(i)));
    }
    return out;
  }

  public WebhookSettings withConnectTimeout(Duration value) {
    return new WebhookSettings(value, attemptDeadline, maxResponseBytes, maxRetryAfter,
        maxConnections, poolMaxIdleTime, allowedNetworks, allowHttp, userAgent,
        rejectedRetryAfter, breaker);
  }

  public WebhookSettings withAttemptDeadline(Duration value) {
    return new WebhookSettings(connectTimeout, value, maxResponseBytes, maxRetryAfter,
        maxConnections, poolMaxIdleTime, allowedNetworks, allowHttp, userAgent,
        rejectedRetryAfter, breaker);
  }

  public WebhookSettings withMaxResponseBytes(int value) {
    return new WebhookSettings(connectTimeout, attemptDeadline, value, maxRetryAfter,
        maxConnections, poolMaxIdleTime, allowedNetworks, allowHttp, userAgent,
        rejectedRetryAfter, breaker);
  }

  public WebhookSettings withMaxRetryAfter(Duration value) {
    return new WebhookSettings(connectTimeout, attemptDeadline, maxResponseBytes, value,
        maxConnections, poolMaxIdleTime, allowedNetworks, allowHttp, userAgent,
        rejectedRetryAfter, breaker);
  }

  public WebhookSettings withMaxConnections(int value) {
    return new WebhookSettings(connectTimeout, attemptDeadline, maxResponseBytes, maxRetryAfter,
        value, poolMaxIdleTime, allowedNetworks, allowHttp, userAgent, rejectedRetryAfter,
        breaker);
  }

  public WebhookSettings withAllowedNetworks(List<String> value) {
    return new WebhookSettings(connectTimeout, attemptDeadline, maxResponseBytes, maxRetryAfter,
        maxConnections, poolMaxIdleTime, value, allowHttp, userAgent, rejectedRetryAfter,
        breaker);
  }

  public WebhookSettings withAllowHttp(boolean value) {
    return new WebhookSettings(connectTimeout, attemptDeadline, maxResponseBytes, maxRetryAfter,
        maxConnections, poolMaxIdleTime, allowedNetworks, value, userAgent, rejectedRetryAfter,
        breaker);
  }

  public WebhookSettings withBreaker(BreakerSettings value) {
    return new WebhookSettings(connectTimeout, attemptDeadline, maxResponseBytes, maxRetryAfter,
        maxConnections, poolMaxIdleTime, allowedNetworks, allowHttp, userAgent,
        rejectedRetryAfter, Objects.requireNonNull(value, "breaker"));
  }
}
