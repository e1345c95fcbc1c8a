package dev.relay.app.config;

import org.jspecify.annotations.Nullable;

/** {@code tracing}. Where spans go is set by the standard {@code OTEL_*} variables, not here. */
record TracingSection(@Nullable Boolean enabled, @Nullable Boolean startTraces) {}
