package dev.relay.engine.publish;

import org.jspecify.annotations.Nullable;

/**
 * A message to publish, as {@code relay.publish(...)} takes it.
 *
 * @param eventType e.g. {@code invoice.paid}
 * @param payloadJson the body, a JSON document
 * @param orderingKey optional ordering key
 * @param eventId optional idempotency key; becomes the webhook-id (generated when absent)
 * @param endpoint optional explicit target endpoint instead of subscription routing
 */
public record PublishRequest(
    String eventType,
    String payloadJson,
    @Nullable String orderingKey,
    @Nullable String eventId,
    @Nullable String endpoint) {

  public static PublishRequest of(String eventType, String payloadJson) {
    return new PublishRequest(eventType, payloadJson, null, null, null);
  }
}
