/**
 * OpenTelemetry for the relay: the SDK configured from the standard {@code OTEL_*} variables
 * (export off unless asked for), and the count of trace contexts dropped at publish.
 */
@NullMarked
package dev.relay.app.tracing;

import org.jspecify.annotations.NullMarked;
