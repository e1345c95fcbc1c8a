package dev.relay.engine.endpoint;

import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * An endpoint as operators see it.
 *
 * @param state {@code active}, {@code paused} (by an operator or the config), {@code disabled}
 *     (the receiver said 410 Gone) or {@code removed} (no longer configured; deliveries held)
 * @param reason why it is not active, if it is not
 * @param backlog pending deliveries
 * @param oldestPendingAge age of the oldest pending delivery since publish, if any
 * @param dead dead letters waiting for an operator
 */
public record EndpointStatus(
    String name,
    List<String> eventTypes,
    String state,
    @Nullable String reason,
    long backlog,
    @Nullable Duration oldestPendingAge,
    long dead) {}
