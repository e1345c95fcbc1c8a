package dev.relay.webhook.tracing;

import dev.relay.engine.spi.Delivery;
import dev.relay.webhook.config.TracingSettings;
import dev.relay.webhook.config.WebhookEndpoint;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Starts the span of one attempt: a child of the trace context the message was published with,
 * or, with {@code tracing.start-traces}, the root of a new trace. The span's context is what the
 * receiver gets as {@code traceparent}. Without either there is no span and no header.
 */
public final class AttemptTracer {
  /** Instrumentation scope name of the spans. */
  public static final String SCOPE = "dev.relay.webhook";

  /** No spans, no headers. */
  public static final AttemptTracer OFF = new AttemptTracer(OpenTelemetry.noop(), TracingSettings.OFF);

  private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();

  private final Tracer tracer;
  private final TracingSettings settings;

  private AttemptTracer(OpenTelemetry telemetry, TracingSettings settings) {
    this.tracer = telemetry.getTracer(SCOPE);
    this.settings = settings;
  }

  /**
   * Spans from {@code telemetry}'s tracer. With the API's no-op implementation the receiver gets
   * the published context unchanged (no child span is made).
   */
  public static AttemptTracer create(OpenTelemetry telemetry, TracingSettings settings) {
    return new AttemptTracer(Objects.requireNonNull(telemetry, "telemetry"), Objects.requireNonNull(settings, "settings"));
  }

  /** The span of an attempt about to start, or {@link AttemptSpan#NONE}. */
  public AttemptSpan start(Delivery delivery, WebhookEndpoint endpoint) {
    if (!settings.enabled()) {
      return AttemptSpan.NONE;
    }
    Context parent = published(delivery);
    boolean linked = Span.fromContext(parent).getSpanContext().isValid();
    if (!linked && !settings.startTraces()) {
      return AttemptSpan.NONE;
    }
    SpanBuilder builder = tracer.spanBuilder("POST " + endpoint.name())
        .setSpanKind(SpanKind.CLIENT)
        .setAttribute(SpanAttributes.HTTP_REQUEST_METHOD, "POST")
        .setAttribute(SpanAttributes.SERVER_ADDRESS, endpoint.host())
        .setAttribute(SpanAttributes.SERVER_PORT, (long) port(endpoint))
        .setAttribute(SpanAttributes.ENDPOINT, endpoint.name())
        .setAttribute(SpanAttributes.EVENT_TYPE, delivery.eventType())
        .setAttribute(SpanAttributes.EVENT_ID, delivery.eventId())
        .setAttribute(SpanAttributes.DELIVERY_ID, delivery.id())
        .setAttribute(SpanAttributes.ATTEMPT, (long) delivery.attempt());
    if (linked) {
      builder.setParent(parent);
    } else {
      builder.setNoParent();
    }
    return new AttemptSpan(builder.startSpan());
  }

  /** The context the publisher attached; the root context when none (or when it does not parse). */
  private static Context published(Delivery delivery) {
    if (delivery.traceparent() == null) {
      return Context.root();
    }
    return W3C.extract(Context.root(), delivery, PublishedContext.INSTANCE);
  }

  private static int port(WebhookEndpoint endpoint) {
    int port = endpoint.url().getPort();
    return port >= 0 ? port : endpoint.isHttps() ? 443 : 80;
  }

  /** Reads a delivery's stored trace context as if it were request headers. */
  private enum PublishedContext implements TextMapGetter<Delivery> {
    INSTANCE;

    @Override
    public Iterable<String> keys(Delivery carrier) {
      return List.of(AttemptSpan.TRACEPARENT, AttemptSpan.TRACESTATE);
    }

    @Override
    public @Nullable String get(@Nullable Delivery carrier, String key) {
      if (carrier == null) {
        return null;
      }
      return switch (key) {
        case AttemptSpan.TRACEPARENT -> carrier.traceparent();
        case AttemptSpan.TRACESTATE -> carrier.tracestate();
        default -> null;
      };
    }
  }
}
