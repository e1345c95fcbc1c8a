package dev.relay.engine.spi;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One claimed attempt to deliver a message to an endpoint.
 *
 * @param id the delivery row id (one per message and endpoint)
 * @param endpoint the configured endpoint name
 * @param eventId the stable message id; the same on every attempt (Standard Webhooks {@code webhook-id})
 * @param eventType the application's event type, e.g. {@code invoice.paid}
 * @param payload the message body exactly as it must be sent (and signed)
 * @param contentType the body's media type
 * @param orderingKey the application's ordering key, if any
 * @param attempt the number of this attempt, starting at 1
 * @param publishedAt when the application committed the message (database time)
 */
public record Delivery(
    long id,
    String endpoint,
    String eventId,
    String eventType,
    String payload,
    String contentType,
    @Nullable String orderingKey,
    int attempt,
    Instant publishedAt) {

  public Delivery {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(eventId, "eventId");
    Objects.requireNonNull(eventType, "eventType");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(contentType, "contentType");
    Objects.requireNonNull(publishedAt, "publishedAt");
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt must be >= 1, was " + attempt);
    }
  }
}
