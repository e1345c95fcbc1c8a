package dev.relay.webhook.metrics;

import static dev.relay.webhook.metrics.WebhookMetricNames.*;

import dev.relay.engine.spi.Outcome;
import dev.relay.webhook.classify.OutcomeNames;
import dev.relay.webhook.resilience.BreakerState;
import dev.relay.webhook.resilience.EndpointGuards;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import reactor.netty.resources.ConnectionPoolMetrics;
import reactor.netty.resources.ConnectionProvider;

/** Records the webhook deliverer's metrics (names in {@link WebhookMetricNames}). */
public final class WebhookMetrics implements AutoCloseable {

  private final MeterRegistry registry;
  private final PoolGauges pool = new PoolGauges();
  private final List<Meter> gauges = new CopyOnWriteArrayList<>();

  public WebhookMetrics(MeterRegistry registry) {
    this.registry = registry;
    poolGauge("acquired", ConnectionPoolMetrics::acquiredSize);
    poolGauge("idle", ConnectionPoolMetrics::idleSize);
    poolGauge("allocated", ConnectionPoolMetrics::allocatedSize);
    poolGauge("pending", ConnectionPoolMetrics::pendingAcquireSize);
  }

  /** Give this to the connection provider so pool sizes become gauges. */
  public ConnectionProvider.MeterRegistrar poolRegistrar() {
    return pool;
  }

  /** Registers the breaker-state and in-flight gauges of one endpoint. */
  public void bindEndpoint(String endpoint, EndpointGuards guards) {
    for (BreakerState state : BreakerState.values()) {
      gauges.add(
          Gauge.builder(BREAKER_STATE, guards, g -> g.state() == state ? 1 : 0)
              .description("1 for the circuit breaker's current state, 0 otherwise")
              .tags(ENDPOINT, endpoint, STATE, state.tag())
              .register(registry));
    }
    gauges.add(
        Gauge.builder(IN_FLIGHT, guards, EndpointGuards::inFlight)
            .description("Webhook attempts in flight")
            .tags(ENDPOINT, endpoint)
            .register(registry));
  }

  /** Records one attempt that was let through the guards. */
  public void recordAttempt(
      String endpoint, @Nullable Integer status, Outcome outcome, long elapsedNanos) {
    String statusClass = statusClass(status);
    Timer.builder(REQUEST_DURATION)
        .description("Webhook attempt duration, connect to last body byte")
        .tags(ENDPOINT, endpoint, STATUS_CLASS, statusClass)
        .publishPercentileHistogram()
        .register(registry)
        .record(elapsedNanos, TimeUnit.NANOSECONDS);
    Counter.builder(OUTCOMES)
        .description("Webhook attempt outcomes")
        .tags(ENDPOINT, endpoint, STATUS_CLASS, statusClass, OUTCOME, outcomeTag(outcome))
        .register(registry)
        .increment();
  }

  /** Records an attempt a guard refused to send ({@code breaker_open}, ...). */
  public void recordRejection(String endpoint, String reason) {
    Counter.builder(REJECTIONS)
        .description("Webhook attempts not sent: breaker open, bulkhead full or rate limited")
        .tags(ENDPOINT, endpoint, REASON, reason)
        .register(registry)
        .increment();
  }

  static String statusClass(@Nullable Integer status) {
    if (status == null || status < 100 || status > 599) {
      return "error";
    }
    return (status / 100) + "xx";
  }

  static String outcomeTag(Outcome outcome) {
    return OutcomeNames.of(outcome);
  }

  private void poolGauge(String state, java.util.function.ToIntFunction<ConnectionPoolMetrics> f) {
    gauges.add(
        Gauge.builder(POOL_CONNECTIONS, pool, p -> p.sum(f))
            .description("Pooled webhook connections")
            .tags(STATE, state)
            .register(registry));
  }

  /** Removes the gauges this instance registered (they would otherwise pin it). */
  @Override
  public void close() {
    for (Meter m : gauges) {
      registry.remove(m);
    }
    gauges.clear();
  }
}
