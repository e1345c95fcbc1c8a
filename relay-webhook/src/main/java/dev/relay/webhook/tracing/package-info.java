/**
 * W3C Trace Context on webhook attempts: each attempt is an OpenTelemetry span, a child of the
 * context the message was published with, and sends it on as {@code traceparent}/{@code
 * tracestate}.
 */
@NullMarked
package dev.relay.webhook.tracing;

import org.jspecify.annotations.NullMarked;
