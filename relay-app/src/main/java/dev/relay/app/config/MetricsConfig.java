package dev.relay.app.config;

import java.util.Map;

/**
 * What {@code GET /metrics} exposes.
 *
 * @param enabled serve {@code /metrics} (default true)
 * @param jvm include JVM, process and GC metrics (default true)
 * @param commonTags tags added to every metric, e.g. {@code env: prod}
 */
public record MetricsConfig(boolean enabled, boolean jvm, Map<String, String> commonTags) {

  public static final MetricsConfig DEFAULT = new MetricsConfig(true, true, Map.of());

  public MetricsConfig {
    commonTags = Map.copyOf(commonTags);
  }
}
