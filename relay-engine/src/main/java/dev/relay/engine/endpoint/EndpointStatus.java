package dev.relay.engine.endpoint;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * An endpoint as operators see it.
 *
 * @param state {@code active}, {@code paused} (by an operator or the config), {@code disabled}
 *     (the receiver said 410 Gone, or every attempt failed for the auto-disable window) or {@code
 *     removed} (no running relay serves it; deliveries held)
 * @param reason why it is not active, if it is not
 * @param backlog pending deliveries
 * @param oldestPendingAge age of the oldest pending delivery since publish, if any
 * @param dead dead letters waiting for an operator
 * @param onDeadLetter {@code skip} or {@code block}: what a dead letter does to later messages of its
 *     ordering key
 * @param heldUntil while the receiver's Retry-After holds the endpoint (no relay claims before), when
 *     it ends
 * @param failing its current failure streak, if every attempt since some time failed
 */
public record EndpointStatus(
    String name,
    List<String> eventTypes,
    String state,
    @Nullable String reason,
    long backlog,
    @Nullable Duration oldestPendingAge,
    long dead,
    String onDeadLetter,
    @Nullable Instant heldUntil,
    @Nullable FailureStreak failing) {}
