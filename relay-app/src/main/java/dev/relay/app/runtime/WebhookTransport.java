package dev.relay.app.runtime;

import dev.relay.app.admin.BreakerStates;
import dev.relay.app.config.RelayConfig;
import dev.relay.app.config.RuntimeEndpointsConfig;
import dev.relay.app.metrics.Registries;
import dev.relay.app.tracing.Telemetry;
import dev.relay.engine.spi.Deliverer;
import dev.relay.webhook.WebhookDeliverer;
import dev.relay.webhook.config.EndpointSource;
import dev.relay.webhook.config.SourcePolicy;
import dev.relay.webhook.resilience.BreakerState;
import dev.relay.webhook.tracing.AttemptTracer;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Webhook delivery through relay-webhook's {@link WebhookDeliverer}, with a span per attempt from
 * the OpenTelemetry SDK the {@code OTEL_*} variables configure.
 */
public final class WebhookTransport implements Transport {
  /** How long a stop waits for queued spans to be exported. */
  private static final long FLUSH_SECONDS = 5;

  private final WebhookDeliverer deliverer;
  private final @Nullable OpenTelemetrySdk ownedTelemetry;

  private WebhookTransport(WebhookDeliverer deliverer, @Nullable OpenTelemetrySdk ownedTelemetry) {
    this.deliverer = deliverer;
    this.ownedTelemetry = ownedTelemetry;
  }

  /** The production transport: the SDK from the environment, shut down (flushed) by {@link #close}. */
  public static Transport create(RelayConfig config, MeterRegistry registry, @Nullable EndpointSource runtime) {
    OpenTelemetrySdk sdk = config.tracing().enabled() ? Telemetry.fromEnvironment(Registries.version()) : null;
    return new WebhookTransport(deliverer(config, registry, sdk == null ? OpenTelemetry.noop() : sdk, runtime), sdk);
  }

  /** With a given OpenTelemetry (tests: an in-memory exporter); the caller closes it. */
  public static Transport create(RelayConfig config, MeterRegistry registry, OpenTelemetry telemetry,
      @Nullable EndpointSource runtime) {
    return new WebhookTransport(deliverer(config, registry, telemetry, runtime), null);
  }

  private static WebhookDeliverer deliverer(RelayConfig config, MeterRegistry registry, OpenTelemetry telemetry,
      @Nullable EndpointSource runtime) {
    WebhookDeliverer.Builder builder = WebhookDeliverer.builder(config.webhook(), config.webhookEndpoints(), registry)
        .tracer(AttemptTracer.create(telemetry, config.tracing()));
    if (runtime != null) {
      RuntimeEndpointsConfig r = config.runtimeEndpoints();
      builder.endpointSource(runtime, new SourcePolicy(r.idleTimeout(), config.delivery().endpointMaxInFlight(),
          r.allowedNetworks(), r.allowHttp()));
    }
    return builder.build();
  }

  @Override
  public void forget(String endpoint) {
    deliverer.forget(endpoint);
  }

  @Override
  public Map<String, Long> heldRuntimeVersions() {
    return deliverer.heldRuntimeVersions();
  }

  @Override
  public void evictIdle() {
    deliverer.evictIdle();
  }

  @Override
  public Deliverer deliverer() {
    return deliverer;
  }

  @Override
  public BreakerStates breakers() {
    return name -> deliverer.breakerState(name).map(BreakerState::tag).orElse(null);
  }

  /** Closes connections, then flushes and stops the span exporter (off the event loops). */
  @Override
  public Mono<Void> close() {
    OpenTelemetrySdk sdk = ownedTelemetry;
    Mono<Void> connections = deliverer.disposeLater();
    return sdk == null ? connections : connections.then(
        Mono.<Void>fromRunnable(() -> Telemetry.shutdown(sdk, FLUSH_SECONDS)).subscribeOn(Schedulers.boundedElastic()));
  }
}
