package dev.relay.app.config;

import dev.relay.engine.config.DatabaseConfig;
import dev.relay.engine.config.EngineConfig;
import dev.relay.webhook.config.TracingSettings;
import dev.relay.webhook.config.WebhookEndpoint;
import dev.relay.webhook.config.WebhookSettings;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A complete, validated relay configuration: what {@code config/relay.yaml} describes.
 *
 * @param database where the relay's schema lives
 * @param migrate whether {@code relay run} applies schema migrations at start (default true)
 * @param delivery the engine's delivery loop (key {@code delivery})
 * @param webhook the HTTP client every endpoint shares, and the per-endpoint circuit breaker
 * @param endpoints configured receivers; synced into the database at start
 * @param admin the metrics/health/admin HTTP server
 * @param metrics what {@code /metrics} exposes
 * @param logging log format and level
 * @param tracing trace context on webhook attempts (spans are exported per the {@code OTEL_*}
 *     variables)
 * @param shutdownGrace how long in-flight deliveries may finish after SIGTERM (default 30 s)
 * @param runtimeEndpoints endpoints managed at runtime: the keys to their secrets, and more
 */
public record RelayConfig(
    DatabaseConfig database,
    boolean migrate,
    EngineConfig delivery,
    WebhookSettings webhook,
    List<EndpointConfig> endpoints,
    AdminConfig admin,
    MetricsConfig metrics,
    LoggingConfig logging,
    TracingSettings tracing,
    Duration shutdownGrace,
    RuntimeEndpointsConfig runtimeEndpoints) {

  public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(30);

  public RelayConfig {
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(delivery, "delivery");
    endpoints = List.copyOf(endpoints);
    Set<String> names = new HashSet<>();
    for (EndpointConfig e : endpoints) {
      if (!names.add(e.name())) {
        throw new IllegalArgumentException("endpoints: duplicate endpoint name '" + e.name() + "'");
      }
    }
    if (shutdownGrace.isNegative()) {
      throw new IllegalArgumentException("shutdown.grace-period must not be negative");
    }
  }

  /** The engine config with each endpoint's {@code max-in-flight} override applied. */
  public EngineConfig engineConfig() {
    Map<String, Integer> limits =
        endpoints.stream()
            .filter(e -> e.maxInFlight() != null)
            .collect(Collectors.toMap(EndpointConfig::name, e -> Objects.requireNonNull(e.maxInFlight())));
    return limits.isEmpty() ? delivery : delivery.toBuilder().endpointLimits(limits).build();
  }

  /** The endpoints as relay-webhook takes them. */
  public List<WebhookEndpoint> webhookEndpoints() {
    return endpoints.stream().map(e -> e.toWebhookEndpoint(delivery.endpointMaxInFlight())).toList();
  }

  public RelayConfig withAdmin(AdminConfig newAdmin) {
    return new RelayConfig(database, migrate, delivery, webhook, endpoints, newAdmin, metrics, logging, tracing, shutdownGrace, runtimeEndpoints);
  }

  public RelayConfig withEndpoints(List<EndpointConfig> newEndpoints) {
    return new RelayConfig(database, migrate, delivery, webhook, newEndpoints, admin, metrics, logging, tracing, shutdownGrace, runtimeEndpoints);
  }

  public RelayConfig withDatabase(DatabaseConfig newDatabase) {
    return new RelayConfig(newDatabase, migrate, delivery, webhook, endpoints, admin, metrics, logging, tracing, shutdownGrace, runtimeEndpoints);
  }

  public RelayConfig withDelivery(EngineConfig newDelivery) {
    return new RelayConfig(database, migrate, newDelivery, webhook, endpoints, admin, metrics, logging, tracing, shutdownGrace, runtimeEndpoints);
  }

  public RelayConfig withTracing(TracingSettings newTracing) {
    return new RelayConfig(database, migrate, delivery, webhook, endpoints, admin, metrics, logging, newTracing,
        shutdownGrace, runtimeEndpoints);
  }

  public RelayConfig withRuntimeEndpoints(RuntimeEndpointsConfig value) {
    return new RelayConfig(database, migrate, delivery, webhook, endpoints, admin, metrics, logging, tracing,
        shutdownGrace, value);
  }

  public RelayConfig withShutdownGrace(Duration grace) {
    return new RelayConfig(database, migrate, delivery, webhook, endpoints, admin, metrics, logging, tracing, grace, runtimeEndpoints);
  }
}
