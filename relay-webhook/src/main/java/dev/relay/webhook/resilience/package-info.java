/** Per-endpoint circuit breaker, bulkhead and rate limiter (Resilience4j). Internal. */
@NullMarked
package dev.relay.webhook.resilience;

import org.jspecify.annotations.NullMarked;
