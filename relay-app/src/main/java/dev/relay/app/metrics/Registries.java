package dev.relay.app.metrics;

import dev.relay.app.config.MetricsConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.pool.PoolMetrics;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/** Builds the Prometheus registry and binds the JVM, process and connection-pool meters. */
public final class Registries {
  private Registries() {}

  /** The returned binders (e.g. GC listeners) are closed with the registry's owner. */
  public static PrometheusMeterRegistry prometheus(MetricsConfig config) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    config.commonTags().forEach((k, v) -> registry.config().commonTags(k, v));
    Gauge.builder(AppMetricNames.BUILD_INFO, () -> 1)
        .description("The running relay build")
        .tag("version", version())
        .register(registry);
    return registry;
  }

  public static JvmGcMetrics bindJvm(MeterRegistry registry) {
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(registry);
    return gc;
  }

  public static void bindPool(ConnectionPool pool, MeterRegistry registry) {
    Optional<PoolMetrics> metrics = pool.getMetrics();
    if (metrics.isEmpty()) {
      return;
    }
    PoolMetrics m = metrics.get();
    gauge(registry, AppMetricNames.POOL_ACQUIRED, "Pool connections in use", m, PoolMetrics::acquiredSize);
    gauge(registry, AppMetricNames.POOL_ALLOCATED, "Pool connections open", m, PoolMetrics::allocatedSize);
    gauge(registry, AppMetricNames.POOL_IDLE, "Pool connections idle", m, PoolMetrics::idleSize);
    gauge(registry, AppMetricNames.POOL_PENDING, "Callers waiting for a pool connection", m,
        PoolMetrics::pendingAcquireSize);
    gauge(registry, AppMetricNames.POOL_MAX, "Pool maximum size", m, PoolMetrics::getMaxAllocatedSize);
  }

  private static void gauge(MeterRegistry registry, String name, String description, PoolMetrics m,
      ToDoubleFunction<PoolMetrics> f) {
    Gauge.builder(name, m, f).description(description).tag("pool", "relay").register(registry);
  }

  public static String version() {
    String v = Registries.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
