package dev.relay.app.metrics;

/**
 * Every metric relay-app registers, named in one place (the engine's are in {@code EngineMetrics},
 * the webhook deliverer's in its own names class). Prometheus spells {@code relay.db.pool.acquired}
 * as {@code relay_db_pool_acquired}.
 */
public final class AppMetricNames {
  /** Pool connections in use. */
  public static final String POOL_ACQUIRED = "relay.db.pool.acquired";
  /** Pool connections open (in use + idle). */
  public static final String POOL_ALLOCATED = "relay.db.pool.allocated";
  /** Pool connections idle. */
  public static final String POOL_IDLE = "relay.db.pool.idle";
  /** Callers waiting for a pool connection. */
  public static final String POOL_PENDING = "relay.db.pool.pending";
  /** The pool's configured maximum size. */
  public static final String POOL_MAX = "relay.db.pool.max";
  /** 1 with the version as a tag: which build is running. */
  public static final String BUILD_INFO = "relay.build.info";
  /** 1 while the relay reports ready on /health/ready. */
  public static final String READY = "relay.ready";
  /** Admin API calls by operation and outcome. */
  public static final String ADMIN_REQUESTS = "relay.admin.requests";
  /** Publishes whose malformed trace context was dropped (cluster-wide, from the database). */
  public static final String TRACE_CONTEXT_IGNORED = "relay.publish.trace.context.ignored";

  private AppMetricNames() {}
}
