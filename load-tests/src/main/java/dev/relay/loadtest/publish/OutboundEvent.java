package dev.relay.loadtest.publish;

import org.jspecify.annotations.Nullable;

/**
 * One event to publish.
 *
 * @param id the event id (becomes the webhook-id)
 * @param endpoint explicit target endpoint, or null to let event-type routing fan it out
 * @param payload JSON text
 * @param intendedNanos when it should be sent, {@link System#nanoTime()}; also inside the payload
 */
public record OutboundEvent(String id, @Nullable String endpoint, String payload, long intendedNanos) {}
