package dev.relay.engine.delivery;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One delivery as operators see it.
 *
 * @param state pending, delivered, dead, discarded or superseded (a later message with the same
 *     supersede key replaced it before it was attempted; see docs/publishing.md)
 * @param nextAttemptAt when a pending delivery is due (while claimed: its lease expiry)
 */
public record DeliveryRecord(
    long id,
    long messageId,
    String endpoint,
    String eventId,
    String eventType,
    String state,
    int attempts,
    Instant nextAttemptAt,
    @Nullable Instant lastAttemptAt,
    @Nullable Integer lastStatus,
    @Nullable String lastError,
    Instant publishedAt,
    @Nullable Instant settledAt) {}
