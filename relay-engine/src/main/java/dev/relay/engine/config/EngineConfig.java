package dev.relay.engine.config;

import java.time.Duration;
import java.util.Map;

/**
 * How the delivery loop runs. Every bound is here: in-flight deliveries, claim size, per-endpoint
 * concurrency, settle batches, payload size.
 *
 * @param maxInFlight deliveries claimed and not yet settled, across all endpoints (default 256)
 * @param claimBatchSize most rows one claim statement takes (default 100)
 * @param endpointMaxInFlight default cap of in-flight deliveries per endpoint (default 32);
 *     {@code endpointLimits} overrides it per endpoint name
 * @param endpointLimits per-endpoint overrides of {@code endpointMaxInFlight}
 * @param lease how long a claim is exclusive; a crashed relay's rows come back after it (default
 *     60 s). Must exceed {@code attemptTimeout} by at least 1 s.
 * @param attemptTimeout the longest one delivery attempt may take before it counts as a
 *     retryable failure (default 30 s)
 * @param pollInterval fallback poll while LISTEN/NOTIFY works (default 5 s)
 * @param pollIntervalWithoutNotify poll interval when notifications do not arrive, e.g. behind
 *     pgbouncer in transaction mode (default 500 ms)
 * @param settleBatchSize most outcomes written per settle statement (default 100)
 * @param settleLinger longest wait to fill a settle batch (default 5 ms)
 * @param maxPayloadBytes the largest payload {@code relay.publish} accepts (default 256 KiB)
 * @param gaugeRefresh how often backlog and oldest-pending gauges are refreshed (default 10 s)
 * @param retry backoff and attempt limits
 * @param retention what the purger keeps
 * @param autoDisable when an endpoint whose every attempt fails is disabled automatically
 */
public record EngineConfig(
    int maxInFlight,
    int claimBatchSize,
    int endpointMaxInFlight,
    Map<String, Integer> endpointLimits,
    Duration lease,
    Duration attemptTimeout,
    Duration pollInterval,
    Duration pollIntervalWithoutNotify,
    int settleBatchSize,
    Duration settleLinger,
    int maxPayloadBytes,
    Duration gaugeRefresh,
    RetryPolicy retry,
    RetentionPolicy retention,
    AutoDisablePolicy autoDisable) {

  public static final EngineConfig DEFAULT =
      new EngineConfig(
          256,
          100,
          32,
          Map.of(),
          Duration.ofSeconds(60),
          Duration.ofSeconds(30),
          Duration.ofSeconds(5),
          Duration.ofMillis(500),
          100,
          Duration.ofMillis(5),
          256 * 1024,
          Duration.ofSeconds(10),
          RetryPolicy.DEFAULT,
          RetentionPolicy.DEFAULT,
          AutoDisablePolicy.DEFAULT);

  public EngineConfig {
    Checks.positive("delivery.max-in-flight", maxInFlight);
    Checks.positive("delivery.claim-batch-size", claimBatchSize);
    Checks.positive("delivery.endpoint-max-in-flight", endpointMaxInFlight);
    Checks.positive("delivery.lease", lease);
    Checks.positive("delivery.attempt-timeout", attemptTimeout);
    Checks.positive("delivery.poll-interval", pollInterval);
    Checks.positive("delivery.poll-interval-without-notify", pollIntervalWithoutNotify);
    Checks.positive("delivery.settle-batch-size", settleBatchSize);
    Checks.positive("delivery.settle-linger", settleLinger);
    Checks.positive("delivery.max-payload-bytes", maxPayloadBytes);
    Checks.positive("delivery.gauge-refresh", gaugeRefresh);
    endpointLimits = Map.copyOf(endpointLimits);
    endpointLimits.forEach(
        (name, limit) -> Checks.positive("endpoints." + name + ".max-in-flight", limit));
    if (retry == null || retention == null || autoDisable == null) {
      throw new IllegalArgumentException("delivery.retry, delivery.retention and delivery.auto-disable are required");
    }
    // An attempt outliving its lease could be claimed again by another relay while still
    // running: two live attempts at once (invariant 3). Keep a margin for the settle.
    if (attemptTimeout.plusSeconds(1).compareTo(lease) > 0) {
      throw new IllegalArgumentException(
          "delivery.lease ("
              + lease
              + ") must exceed delivery.attempt-timeout ("
              + attemptTimeout
              + ") by at least 1 s (twice is comfortable), so no attempt outlives its lease");
    }
  }

  public int endpointLimit(String endpoint) {
    return endpointLimits.getOrDefault(endpoint, endpointMaxInFlight);
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  public static Builder builder() {
    return new Builder(DEFAULT);
  }

  /** Starts from a config (the defaults, via {@link #builder()}) and changes what is set. */
  public static final class Builder {
    private int maxInFlight;
    private int claimBatchSize;
    private int endpointMaxInFlight;
    private Map<String, Integer> endpointLimits;
    private Duration lease;
    private Duration attemptTimeout;
    private Duration pollInterval;
    private Duration pollIntervalWithoutNotify;
    private int settleBatchSize;
    private Duration settleLinger;
    private int maxPayloadBytes;
    private Duration gaugeRefresh;
    private RetryPolicy retry;
    private RetentionPolicy retention;
    private AutoDisablePolicy autoDisable;

    private Builder(EngineConfig c) {
      maxInFlight = c.maxInFlight;
      claimBatchSize = c.claimBatchSize;
      endpointMaxInFlight = c.endpointMaxInFlight;
      endpointLimits = c.endpointLimits;
      lease = c.lease;
      attemptTimeout = c.attemptTimeout;
      pollInterval = c.pollInterval;
      pollIntervalWithoutNotify = c.pollIntervalWithoutNotify;
      settleBatchSize = c.settleBatchSize;
      settleLinger = c.settleLinger;
      maxPayloadBytes = c.maxPayloadBytes;
      gaugeRefresh = c.gaugeRefresh;
      retry = c.retry;
      retention = c.retention;
      autoDisable = c.autoDisable;
    }

    public Builder maxInFlight(int v) { maxInFlight = v; return this; }
    public Builder claimBatchSize(int v) { claimBatchSize = v; return this; }
    public Builder endpointMaxInFlight(int v) { endpointMaxInFlight = v; return this; }
    public Builder endpointLimits(Map<String, Integer> v) { endpointLimits = v; return this; }
    public Builder lease(Duration v) { lease = v; return this; }
    public Builder attemptTimeout(Duration v) { attemptTimeout = v; return this; }
    public Builder pollInterval(Duration v) { pollInterval = v; return this; }
    public Builder pollIntervalWithoutNotify(Duration v) { pollIntervalWithoutNotify = v; return this; }
    public Builder settleBatchSize(int v) { settleBatchSize = v; return this; }
    public Builder settleLinger(Duration v) { settleLinger = v; return this; }
    public Builder maxPayloadBytes(int v) { maxPayloadBytes = v; return this; }
    public Builder gaugeRefresh(Duration v) { gaugeRefresh = v; return this; }
    public Builder retry(RetryPolicy v) { retry = v; return this; }
    public Builder retention(RetentionPolicy v) { retention = v; return this; }
    public Builder autoDisable(AutoDisablePolicy v) { autoDisable = v; return this; }

    /** Validates; the message names the offending key. */
    public EngineConfig build() {
      return new EngineConfig(maxInFlight, claimBatchSize, endpointMaxInFlight, endpointLimits, lease,
          attemptTimeout, pollInterval, pollIntervalWithoutNotify, settleBatchSize, settleLinger,
          maxPayloadBytes, gaugeRefresh, retry, retention, autoDisable);
    }
  }
}
