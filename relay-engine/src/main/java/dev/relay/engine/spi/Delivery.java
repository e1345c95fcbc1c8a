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
 * @param traceparent the W3C {@code traceparent} the publisher attached (checked at publish), if any
 * @param tracestate the W3C {@code tracestate} that goes with it, if any
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
    Instant publishedAt,
    @Nullable String traceparent,
    @Nullable String tracestate) {

  /** A delivery whose message carries no trace context. */
  public Delivery(long id, String endpoint, String eventId, String eventType, String payload, String contentType,
      @Nullable String orderingKey, int attempt, Instant publishedAt) {
    this(id, endpoint, eventId, eventType, payload, contentType, orderingKey, attempt, publishedAt, null, null);
  }

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
