package dev.relay.app.runtime;

import dev.relay.app.admin.AdminApi;
import dev.relay.app.config.EndpointConfig;
import dev.relay.app.admin.RuntimeEndpointRoutes;
import dev.relay.app.config.RelayConfig;
import dev.relay.app.config.RuntimeEndpointsConfig;
import dev.relay.app.endpoints.RuntimeDirectory;
import dev.relay.app.endpoints.RuntimeWatcher;
import dev.relay.app.endpoints.SecretBox;
import dev.relay.app.endpoints.SecretSealing;
import dev.relay.app.health.Liveness;
import dev.relay.app.health.Readiness;
import dev.relay.app.http.HttpApi;
import dev.relay.app.metrics.AppMetricNames;
import dev.relay.app.metrics.Registries;
import dev.relay.app.tracing.IgnoredTraceContexts;
import dev.relay.engine.RelayEngine;
import dev.relay.engine.db.Database;
import dev.relay.engine.endpoint.EndpointSpec;
import dev.relay.engine.endpoint.RuntimeEndpoints;
import dev.relay.engine.endpoint.RuntimeServing;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.DisposableServer;

/**
 * A running relay: database pool, migrations, registration, the engine with its transport, and the
 * HTTP server. {@link #start} is what {@code relay run} does; {@link #stop} is what SIGTERM does.
 */
public final class Relay {
  private static final Logger log = LoggerFactory.getLogger(Relay.class);
  /** Whether Flyway's history table and the delivery table exist ($1, $2: qualified names). Catalog lookups only. */
  private static final String SCHEMA_PRESENT = "SELECT to_regclass($1) IS NOT NULL AND to_regclass($2) IS NOT NULL";

  private final RelayConfig config;
  private final PrometheusMeterRegistry registry;
  private final @Nullable JvmGcMetrics gc;
  private final Database database;
  private final Transport transport;
  private final RelayEngine engine;
  private final DisposableServer server;
  private final AtomicBoolean draining;
  /** Background work beside the engine (trace-context gauge, runtime endpoint watcher). */
  private final Disposable background;
  private final AtomicBoolean stopped = new AtomicBoolean();

  private Relay(RelayConfig config, PrometheusMeterRegistry registry, @Nullable JvmGcMetrics gc, Database database,
      Transport transport, RelayEngine engine, DisposableServer server, AtomicBoolean draining,
      Disposable background) {
    this.config = config;
    this.registry = registry;
    this.gc = gc;
    this.database = database;
    this.transport = transport;
    this.engine = engine;
    this.server = server;
    this.draining = draining;
    this.background = background;
  }

  /**
   * Connects, migrates (unless {@code database.migrate: false}), registers this relay with its
   * endpoints, starts delivering and serving.
   */
  public static Mono<Relay> start(RelayConfig config, TransportFactory transports) {
    return Mono.defer(() -> {
      PrometheusMeterRegistry registry = Registries.prometheus(config.metrics());
      JvmGcMetrics gc = config.metrics().jvm() ? Registries.bindJvm(registry) : null;
      // Reactor Netty reports server and client metrics to the global registry.
      Metrics.addRegistry(registry);
      Database database = Database.connect(config.database());
      Registries.bindPool(database.pool(), registry);
      AtomicBoolean migrated = new AtomicBoolean();
      AtomicBoolean draining = new AtomicBoolean();
      Transport transport;
      RelayEngine engine;
      RuntimeEndpointsConfig runtime = config.runtimeEndpoints();
      RuntimeEndpoints runtimeStore = new RuntimeEndpoints(database);
      SecretBox box = runtime.enabled() ? SecretBox.of(runtime.encryptionKeys()) : null;
      try {
        transport = transports.create(config, registry, box == null ? null : new RuntimeDirectory(runtimeStore, box,
            config.delivery().endpointMaxInFlight(), runtime.metricsPerEndpoint()));
        engine = RelayEngine.create(database, config.engineConfig(), endpointSpecs(config), transport.deliverer(),
            registry, new RuntimeServing(box != null, runtime.metricsPerEndpoint()));
      } catch (RuntimeException e) {
        return cleanup(registry, gc, database).then(Mono.error(e));
      }
      SecretSealing sealing = box == null ? null : new SecretSealing(runtimeStore, box);
      Readiness readiness = new Readiness(database, engine, migrated::get, draining::get, Duration.ofSeconds(2));
      Gauge.builder(AppMetricNames.READY, () -> engine.health().ok() && migrated.get() && !draining.get() ? 1 : 0)
          .description("1 while the delivery pipeline runs, the schema is migrated and the relay is not shutting down")
          .register(registry);
      AdminApi admin = new AdminApi(engine, transport.breakers(), config.admin().token(),
          config.admin().publishEnabled(), registry,
          new RuntimeEndpointRoutes(runtimeStore, sealing, runtime.secretOverlap()));
      Liveness liveness = new Liveness(engine::health, draining::get);
      HttpApi http = new HttpApi(config.admin(), config.metrics().enabled() ? registry : null, readiness, liveness,
          admin);
      // One round trip first: a wrong address, password or certificate is reported as one clear line.
      return database.ping()
          .onErrorMap(e -> StartupCheck.databaseUnreachable(config.database(), e))
          .then(prepareSchema(config, database))
          .doOnSuccess(v -> migrated.set(true))
          .then(engine.start())
          .then(http.bind())
          .map(server -> {
            Disposable.Composite background = Disposables.composite(
                IgnoredTraceContexts.start(database, registry, config.delivery().gaugeRefresh()));
            if (sealing != null) {
              background.add(new RuntimeWatcher(runtimeStore, sealing, transport::heldRuntimeVersions,
                  transport::forget, transport::evictIdle).start(engine, config.delivery().pollInterval()));
            }
            Relay relay = new Relay(config, registry, gc, database, transport, engine, server, draining, background);
            log.info("Relay started: {} endpoints, {}, HTTP on {}:{} (/metrics, /health/ready, /admin)",
                config.endpoints().size(), box == null
                    ? "not serving runtime endpoints (no runtime-endpoints.encryption-keys)"
                    : "serving runtime endpoints (secrets sealed with key " + box.keyId() + ")",
                config.admin().bind(), server.port());
            return relay;
          })
          .onErrorResume(e -> engine.stop(Duration.ZERO).onErrorResume(x -> Mono.empty())
              .then(transport.close().onErrorResume(x -> Mono.empty()))
              .then(cleanup(registry, gc, database))
              .then(Mono.error(e)));
    });
  }

  private static Mono<Void> prepareSchema(RelayConfig config, Database database) {
    if (config.migrate()) {
      return database.migrate();
    }
    String schema = config.database().schema();
    return database.queries()
        .one(SCHEMA_PRESENT, row -> row.get(0, Boolean.class), schema + ".relay_schema_history", schema + ".delivery")
        .flatMap(ok -> Boolean.TRUE.equals(ok) ? Mono.<Void>empty() : Mono.error(new IllegalStateException(
            "schema " + schema + " is not migrated and database.migrate is false: run `relay migrate` first")));
  }

  /** The configured endpoints as the engine serves and registers them. */
  public static List<EndpointSpec> endpointSpecs(RelayConfig config) {
    return config.endpoints().stream()
        .map(e -> new EndpointSpec(e.name(), e.eventTypes(), e.paused(), e.onDeadLetter()))
        .toList();
  }

  /**
   * Graceful stop: readiness turns false, no new claims, in-flight deliveries get {@code
   * shutdown.grace-period} to finish, the rest are released for immediate re-claim; then the HTTP
   * server and the pool close.
   */
  public Mono<Void> stop() {
    return Mono.defer(() -> {
      if (!stopped.compareAndSet(false, true)) {
        return Mono.empty();
      }
      draining.set(true);
      background.dispose();
      Duration grace = config.shutdownGrace();
      return engine.stop(grace)
          .onErrorResume(e -> {
            log.warn("Engine stop failed: {}", e.toString());
            return Mono.empty();
          })
          .then(transport.close().onErrorResume(e -> Mono.empty()))
          .then(Mono.fromRunnable(() -> server.disposeNow(Duration.ofSeconds(5)))
              .subscribeOn(Schedulers.boundedElastic()))
          .then(cleanup(registry, gc, database))
          .doOnSuccess(v -> log.info("Relay stopped"));
    });
  }

  private static Mono<Void> cleanup(PrometheusMeterRegistry registry, @Nullable JvmGcMetrics gc, Database database) {
    return database.close().onErrorResume(e -> Mono.empty()).then(Mono.fromRunnable(() -> {
      Metrics.removeRegistry(registry);
      if (gc != null) {
        gc.close();
      }
      registry.close();
    }));
  }

  /** The HTTP port actually bound (useful with {@code admin.port: 0}). */
  public int port() {
    return server.port();
  }

  public String baseUrl() {
    String host = config.admin().bind();
    if (host.equals("0.0.0.0") || host.equals("::")) {
      host = "127.0.0.1";
    }
    return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port();
  }

  public RelayEngine engine() {
    return engine;
  }

  public Database database() {
    return database;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public RelayConfig config() {
    return config;
  }

  public List<String> endpointNames() {
    return config.endpoints().stream().map(EndpointConfig::name).toList();
  }
}
