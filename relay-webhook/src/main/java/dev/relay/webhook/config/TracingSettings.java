package dev.relay.webhook.config;

/**
 * Trace context on webhook attempts (YAML {@code tracing}). Where spans go is the OpenTelemetry
 * SDK's business ({@code OTEL_*} variables), not this record's.
 *
 * @param enabled send {@code traceparent}/{@code tracestate} to receivers and record a span per
 *     attempt (default true)
 * @param startTraces for a message published without trace context, start a new trace per attempt
 *     (default false: such attempts send no {@code traceparent} and record no span)
 */
public record TracingSettings(boolean enabled, boolean startTraces) {

  public static final TracingSettings DEFAULTS = new TracingSettings(true, false);

  /** No headers, no spans. */
  public static final TracingSettings OFF = new TracingSettings(false, false);
}
