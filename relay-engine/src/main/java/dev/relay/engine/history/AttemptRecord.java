package dev.relay.engine.history;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * One attempt as operators see it.
 *
 * @param attempt the delivery's attempt number (restarts at 1 after an operator's replay)
 * @param instanceId the relay instance that made it
 * @param instanceName its host and pid, while that relay still runs (null after it stopped)
 * @param startedAt when it started, by the sending relay's clock
 * @param status the HTTP status, null when no response arrived
 * @param error null when delivered, else what went wrong
 * @param responseExcerpt the first bytes of the response body (at most 1 KiB)
 */
public record AttemptRecord(
    long deliveryId,
    int attempt,
    String endpoint,
    String eventId,
    UUID instanceId,
    @Nullable String instanceName,
    Instant startedAt,
    long durationMs,
    @Nullable Integer status,
    @Nullable String error,
    @Nullable String responseExcerpt) {}
