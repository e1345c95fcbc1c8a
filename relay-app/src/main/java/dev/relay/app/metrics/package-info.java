/** The Prometheus registry, JVM/pool binders and the one place that names relay-app metrics. */
@NullMarked
package dev.relay.app.metrics;

import org.jspecify.annotations.NullMarked;
