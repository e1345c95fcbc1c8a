package dev.relay.webhook.tracing;

import dev.relay.engine.spi.Outcome;
import dev.relay.webhook.classify.OutcomeNames;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/** One attempt's span: its headers for the receiver, then how the attempt ended. Ends once. */
public final class AttemptSpan {
  /** The W3C request header names. */
  public static final String TRACEPARENT = "traceparent";

  public static final String TRACESTATE = "tracestate";

  /** No span: no headers, nothing recorded. */
  public static final AttemptSpan NONE = new AttemptSpan(Span.getInvalid());

  private final Span span;
  private final AtomicBoolean ended = new AtomicBoolean();

  AttemptSpan(Span span) {
    this.span = span;
  }

  /** Adds {@code traceparent} (and {@code tracestate} when there is one) for the receiver. */
  public void inject(Map<String, String> headers) {
    if (span.getSpanContext().isValid()) {
      W3CTraceContextPropagator.getInstance().inject(Context.root().with(span), headers, Map::put);
    }
  }

  /** The trace id for log lines, or null without a span. */
  public @Nullable String traceId() {
    SpanContext c = span.getSpanContext();
    return c.isValid() ? c.getTraceId() : null;
  }

  /** The span id (the receiver's parent id), or null without a span. */
  public @Nullable String spanId() {
    SpanContext c = span.getSpanContext();
    return c.isValid() ? c.getSpanId() : null;
  }

  /**
   * Records how the attempt ended: the status code when a reply came, the outcome, and for a
   * failure the error type (the status code, or the exception's class; never a message, which
   * may quote the receiver).
   */
  public void end(Outcome outcome, @Nullable Throwable error) {
    if (!ended.compareAndSet(false, true) || span == Span.getInvalid()) {
      return;
    }
    Integer status = OutcomeNames.status(outcome);
    if (status != null) {
      span.setAttribute(SpanAttributes.HTTP_RESPONSE_STATUS_CODE, (long) status);
    }
    span.setAttribute(SpanAttributes.OUTCOME, OutcomeNames.of(outcome));
    if (!(outcome instanceof Outcome.Delivered)) {
      String type = error != null ? error.getClass().getSimpleName() : status != null ? status.toString() : "_OTHER";
      span.setAttribute(SpanAttributes.ERROR_TYPE, type);
      span.setStatus(StatusCode.ERROR);
    }
    span.end();
  }

  /** The attempt was abandoned (the engine's attempt timeout, or shutdown). */
  public void cancel() {
    if (ended.compareAndSet(false, true) && span != Span.getInvalid()) {
      span.setAttribute(SpanAttributes.OUTCOME, "cancelled");
      span.setAttribute(SpanAttributes.ERROR_TYPE, "cancelled");
      span.setStatus(StatusCode.ERROR);
      span.end();
    }
  }
}
