package dev.relay.app.tracing;

import dev.relay.app.metrics.AppMetricNames;
import dev.relay.engine.db.Database;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code relay_publish_trace_context_ignored_total}: publishes whose malformed trace context was
 * dropped (V4's {@code trace_context_ignored} sequence, cluster-wide: every relay reports the same
 * value). Read every {@code delivery.gauge-refresh}, never on the scrape.
 */
public final class IgnoredTraceContexts {
  private static final Logger log = LoggerFactory.getLogger(IgnoredTraceContexts.class);
  /** A sequence's own row: no table, no index. {s}: the relay's schema. */
  private static final String READ = "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM {s}.trace_context_ignored";

  private IgnoredTraceContexts() {}

  /** Registers the counter and keeps it current until the returned handle is disposed. */
  public static Disposable start(Database database, MeterRegistry registry, Duration every) {
    AtomicLong seen = new AtomicLong();
    FunctionCounter.builder(AppMetricNames.TRACE_CONTEXT_IGNORED, seen, AtomicLong::get)
        .description("Publishes whose malformed traceparent/tracestate was dropped with a warning (all relays)")
        .register(registry);
    String sql = READ.replace("{s}", database.sql().schema());
    return Flux.interval(Duration.ZERO, every)
        .onBackpressureDrop()
        .concatMap(tick -> database.queries().one(sql, row -> row.get(0, Long.class))
            .doOnNext(seen::set)
            .onErrorResume(e -> {
              log.debug("Reading the ignored trace contexts failed: {}", e.toString());
              return Mono.empty();
            }), 1)
        .subscribe();
  }
}
