package dev.relay.engine.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Every engine metric, named in one place. Prometheus names drop the dots and add units and
 * {@code _total}: {@code relay.deliveries.delivered} is {@code relay_deliveries_delivered_total}.
 */
public final class EngineMetrics {
  public static final String CLAIMED = "relay.deliveries.claimed";
  public static final String DELIVERED = "relay.deliveries.delivered";
  public static final String RETRIED = "relay.deliveries.retried";
  public static final String DEAD = "relay.deliveries.dead";
  public static final String DEFERRED = "relay.deliveries.deferred";
  public static final String HANDED_BACK = "relay.deliveries.handed.back";
  public static final String UNSERVED = "relay.deliveries.unserved";
  public static final String BLOCKED_KEYS = "relay.ordering.keys.blocked";
  public static final String SUPERSEDED = "relay.deliveries.superseded";
  public static final String STALE_SETTLES = "relay.settles.stale";
  public static final String SETTLE_FAILURES = "relay.settles.failed";
  public static final String CLAIM_LATENCY = "relay.claim.duration";
  public static final String CLAIM_BATCH = "relay.claim.batch.size";
  public static final String END_TO_END = "relay.delivery.end.to.end";
  public static final String BACKLOG = "relay.backlog";
  public static final String OLDEST_PENDING = "relay.backlog.oldest.age";
  public static final String IN_FLIGHT = "relay.in.flight";
  public static final String LISTENER_CONNECTED = "relay.listener.connected";
  public static final String PROGRESS_AGE = "relay.loop.progress.age";
  public static final String LISTENER_RECONNECTS = "relay.listener.reconnects";
  public static final String UNROUTED = "relay.messages.unrouted";
  public static final String PURGED = "relay.retention.purged";
  public static final String ENDPOINTS_FAILING = "relay.endpoints.failing";
  public static final String ENDPOINTS_WARNED = "relay.endpoints.failing.warnings";
  public static final String ENDPOINTS_AUTO_DISABLED = "relay.endpoints.auto.disabled";

  private static final String ENDPOINT = "endpoint";

  private final MeterRegistry registry;
  private final UnaryOperator<String> label;
  private final Counter claimed;
  private final Counter stale;
  private final Counter settleFailures;
  private final Counter reconnects;
  private final Timer claimLatency;
  private final DistributionSummary claimBatch;
  private final Map<String, Counter> delivered = new ConcurrentHashMap<>();
  private final Map<String, Counter> retried = new ConcurrentHashMap<>();
  private final Map<String, Counter> dead = new ConcurrentHashMap<>();
  private final Map<String, Counter> deferred = new ConcurrentHashMap<>();
  private final Map<String, Counter> handedBack = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> blockedKeys = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> superseded = new ConcurrentHashMap<>();
  private final AtomicLong unserved = new AtomicLong();
  private final Map<String, Timer> endToEnd = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> backlog = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> oldestMillis = new ConcurrentHashMap<>();
  private final AtomicLong unrouted = new AtomicLong();
  private final Map<String, Counter> purged = new ConcurrentHashMap<>();
  private final AtomicLong endpointsWarning = new AtomicLong();
  private final AtomicLong endpointsDisabled = new AtomicLong();
  private final Counter endpointsWarned;
  private final Counter endpointsAutoDisabled;

  public EngineMetrics(MeterRegistry registry) {
    this(registry, UnaryOperator.identity());
  }

  /**
   * @param label the {@code endpoint} label of an endpoint's series: its name, or one shared value
   *     for endpoints whose series would be unbounded (runtime endpoints, see {@link
   *     dev.relay.engine.endpoint.RuntimeServing})
   */
  public EngineMetrics(MeterRegistry registry, UnaryOperator<String> label) {
    this.registry = registry;
    this.label = label;
    this.claimed = Counter.builder(CLAIMED).description("Deliveries claimed for an attempt").register(registry);
    this.stale =
        Counter.builder(STALE_SETTLES)
            .description("Settles refused because the lease had passed to another claim")
            .register(registry);
    this.settleFailures =
        Counter.builder(SETTLE_FAILURES)
            .description("Settle batches that failed; their rows come back when the lease expires")
            .register(registry);
    this.reconnects =
        Counter.builder(LISTENER_RECONNECTS).description("LISTEN connection re-establishments").register(registry);
    this.claimLatency =
        Timer.builder(CLAIM_LATENCY)
            .description("Claim statement round trip")
            .publishPercentileHistogram()
            .maximumExpectedValue(Duration.ofSeconds(5))
            .register(registry);
    this.claimBatch =
        DistributionSummary.builder(CLAIM_BATCH).description("Rows per claim").register(registry);
    Gauge.builder(UNSERVED, unserved, AtomicLong::get)
        .description("Pending deliveries of endpoints this relay does not serve: they wait for a relay that does")
        // No base unit: Prometheus would append it (relay_deliveries_unserved_deliveries), and the
        // documented name, the alert and the dashboard read relay_deliveries_unserved.
        .register(registry);
    // Counts, not per-endpoint series: runtime endpoints may number 100,000. The admin API and
    // the log line name the endpoints.
    Gauge.builder(ENDPOINTS_FAILING, endpointsWarning, AtomicLong::get)
        .description("Endpoints whose every attempt failed for half the auto-disable window (warning), and "
            + "endpoints disabled automatically or by a 410 (disabled); their deliveries wait for a resume")
        .tag("state", "warning")
        .register(registry);
    Gauge.builder(ENDPOINTS_FAILING, endpointsDisabled, AtomicLong::get)
        .description("Endpoints whose every attempt failed for half the auto-disable window (warning), and "
            + "endpoints disabled automatically or by a 410 (disabled); their deliveries wait for a resume")
        .tag("state", "disabled")
        .register(registry);
    this.endpointsWarned =
        Counter.builder(ENDPOINTS_WARNED)
            .description("Failure streaks that reached half the auto-disable window (counted by the relay whose "
                + "settle crossed it, so the sum over relays counts each once)")
            .register(registry);
    this.endpointsAutoDisabled =
        Counter.builder(ENDPOINTS_AUTO_DISABLED)
            .description("Endpoints disabled automatically after failing for the whole window (counted once, by "
                + "the relay whose settle disabled it)")
            .register(registry);
    Gauge.builder(UNROUTED, unrouted, AtomicLong::get)
        .description("Messages kept that no endpoint subscribed to at publish time")
        .register(registry);
  }

  public void claimed(int rows, long nanos) {
    claimed.increment(rows);
    claimBatch.record(rows);
    claimLatency.record(Duration.ofNanos(nanos));
  }

  public void delivered(String endpoint, double secondsSincePublish) {
    counter(delivered, DELIVERED, "Deliveries accepted by the receiver", endpoint).increment();
    endToEnd
        .computeIfAbsent(label.apply(endpoint), e -> Timer.builder(END_TO_END)
            .description("Publish (commit) to delivered, database time")
            .tags(Tags.of(ENDPOINT, e))
            .publishPercentileHistogram()
            .maximumExpectedValue(Duration.ofHours(1))
            .register(registry))
        .record(Duration.ofNanos((long) (secondsSincePublish * 1e9)));
  }

  public void retried(String endpoint) {
    counter(retried, RETRIED, "Failed attempts rescheduled with backoff", endpoint).increment();
  }

  public void dead(String endpoint) {
    counter(dead, DEAD, "Deliveries moved to the dead letters", endpoint).increment();
  }

  public void deferred(String endpoint) {
    counter(deferred, DEFERRED, "Deliveries the transport held back unsent (breaker, bulkhead, rate limit)", endpoint)
        .increment();
  }

  public void handedBack(String endpoint) {
    counter(handedBack, HANDED_BACK,
        "Claimed rows given back unattempted: queued past the point where an attempt could end inside "
            + "the lease, the receiver asked to wait (Retry-After), or the relay was stopping", endpoint)
        .increment();
  }

  public void unserved(long pending) {
    unserved.set(pending);
  }

  /** Ordering keys held by a dead letter, per endpoint whose dead letters block their key; absent ones read 0. */
  public void blockedKeys(Map<String, Long> keysPerEndpoint) {
    Map<String, Long> perLabel = new java.util.HashMap<>();
    keysPerEndpoint.forEach((endpoint, count) -> perLabel.merge(label.apply(endpoint), count, Long::sum));
    blockedKeys.forEach((endpoint, value) -> value.set(perLabel.getOrDefault(endpoint, 0L)));
    perLabel.forEach((endpoint, count) -> blockedKeys.computeIfAbsent(endpoint, e -> {
      AtomicLong value = new AtomicLong();
      Gauge.builder(BLOCKED_KEYS, value, AtomicLong::get)
          .description("Ordering keys held by a dead letter until an operator replays or discards it")
          .tags(Tags.of(ENDPOINT, e))
          .register(registry);
      return value;
    }).set(count));
  }

  /**
   * Superseded deliveries kept (until retention purges them), per endpoint this relay serves
   * (runtime endpoints under their shared label). A gauge read from the database: most are
   * superseded by the publishing transaction, which no relay sees; absent ones read 0.
   */
  public void superseded(Map<String, Long> perEndpoint) {
    Map<String, Long> perLabel = new java.util.HashMap<>();
    perEndpoint.forEach((endpoint, count) -> perLabel.merge(label.apply(endpoint), count, Long::sum));
    superseded.forEach((endpoint, value) -> value.set(perLabel.getOrDefault(endpoint, 0L)));
    perLabel.forEach((endpoint, count) -> superseded.computeIfAbsent(endpoint, e -> {
      AtomicLong value = new AtomicLong();
      Gauge.builder(SUPERSEDED, value, AtomicLong::get)
          .description("Deliveries a later message with the same supersede key replaced before they were attempted "
              + "(or after a failed attempt), kept until retention purges them")
          .tags(Tags.of(ENDPOINT, e))
          .register(registry);
      return value;
    }).set(count));
  }

  public void staleSettles(int rows) {
    stale.increment(rows);
  }

  public void settleFailed() {
    settleFailures.increment();
  }

  public void listenerReconnected() {
    reconnects.increment();
  }

  public void purged(String what, long rows) {
    purged
        .computeIfAbsent(what, w -> Counter.builder(PURGED).description("Rows deleted by retention")
            .tag("table", w).register(registry))
        .increment(rows);
  }

  public void inFlight(Supplier<Number> inFlight) {
    Gauge.builder(IN_FLIGHT, inFlight).description("Deliveries claimed and not yet settled").register(registry);
  }

  public void progressAge(Supplier<Number> seconds) {
    Gauge.builder(PROGRESS_AGE, seconds)
        .description("Seconds since the delivery loop last completed a claim or a settle; a working relay "
            + "claims at least every poll interval")
        .baseUnit("seconds")
        .register(registry);
  }

  public void listenerConnected(Supplier<Number> connected) {
    Gauge.builder(LISTENER_CONNECTED, connected)
        .description("1 while the LISTEN connection is up")
        .register(registry);
  }

  /** Replaces the backlog gauges with a fresh reading; endpoints absent from it read 0. */
  public void backlog(Map<String, Long> pending, Map<String, Double> oldestSeconds) {
    backlog.forEach((endpoint, value) -> value.set(pending.getOrDefault(endpoint, 0L)));
    oldestMillis.forEach((endpoint, value) ->
        value.set((long) (oldestSeconds.getOrDefault(endpoint, 0.0) * 1000)));
    pending.forEach((endpoint, count) -> gauge(backlog, BACKLOG, "Pending deliveries", endpoint, 1).set(count));
    oldestSeconds.forEach((endpoint, seconds) ->
        gauge(oldestMillis, OLDEST_PENDING, "Age of the oldest pending delivery", endpoint, 0.001)
            .set((long) (seconds * 1000)));
  }

  /** A fresh reading of the failing-endpoints gauge. */
  public void failingEndpoints(long warning, long disabled) {
    endpointsWarning.set(warning);
    endpointsDisabled.set(disabled);
  }

  public void endpointWarned() {
    endpointsWarned.increment();
  }

  public void endpointAutoDisabled() {
    endpointsAutoDisabled.increment();
  }

  public void unrouted(long count) {
    unrouted.set(count);
  }

  private AtomicLong gauge(Map<String, AtomicLong> gauges, String name, String description, String endpoint,
      double scale) {
    return gauges.computeIfAbsent(endpoint, e -> {
      AtomicLong value = new AtomicLong();
      Gauge.builder(name, value, v -> v.get() * scale)
          .description(description)
          .tags(Tags.of(ENDPOINT, e))
          .baseUnit(scale == 1 ? "deliveries" : "seconds")
          .register(registry);
      return value;
    });
  }

  private Counter counter(Map<String, Counter> counters, String name, String description, String endpoint) {
    return counters.computeIfAbsent(label.apply(endpoint), e ->
        Counter.builder(name).description(description).tags(Tags.of(ENDPOINT, e)).register(registry));
  }
}
