package dev.relay.webhook.metrics;

/**
 * Every metric name and tag key of the webhook deliverer, in one place. Prometheus renders dots
 * as underscores and adds unit suffixes (e.g. {@code relay_webhook_request_duration_seconds}).
 */
public final class WebhookMetricNames {

  /**
   * Timer of attempts that were let through the guards, connect to last body byte (or failure);
   * tags {@link #ENDPOINT}, {@link #STATUS_CLASS}. Publishes a percentile histogram.
   */
  public static final String REQUEST_DURATION = "relay.webhook.request.duration";

  /** Counter of attempt outcomes; tags {@link #ENDPOINT}, {@link #STATUS_CLASS}, {@link #OUTCOME}. */
  public static final String OUTCOMES = "relay.webhook.outcomes";

  /**
   * Counter of attempts not sent because a guard refused them; tags {@link #ENDPOINT}, {@link
   * #REASON} ({@code breaker_open}, {@code bulkhead_full}, {@code rate_limited}).
   */
  public static final String REJECTIONS = "relay.webhook.rejections";

  /** Gauge, 1 for the breaker's current state and 0 for the others; tags {@link #ENDPOINT}, {@link #STATE}. */
  public static final String BREAKER_STATE = "relay.webhook.breaker.state";

  /** Gauge of attempts in flight per endpoint; tag {@link #ENDPOINT}. */
  public static final String IN_FLIGHT = "relay.webhook.in.flight";

  /**
   * Gauge of pooled connections over all endpoint pools; tag {@link #STATE}: {@code acquired} (in
   * use), {@code idle}, {@code allocated} (acquired + idle), {@code pending} (waiting for one).
   */
  public static final String POOL_CONNECTIONS = "relay.webhook.pool.connections";

  public static final String ENDPOINT = "endpoint";

  /** {@code 2xx}, {@code 3xx}, {@code 4xx}, {@code 5xx} (also {@code 1xx}), or {@code error} when no status arrived. */
  public static final String STATUS_CLASS = "status_class";

  /** {@code delivered}, {@code retry}, {@code terminal} or {@code endpoint_gone}. */
  public static final String OUTCOME = "outcome";

  public static final String REASON = "reason";

  public static final String STATE = "state";

  private WebhookMetricNames() {}
}
