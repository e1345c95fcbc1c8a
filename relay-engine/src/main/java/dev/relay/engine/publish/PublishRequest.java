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
 * @param supersedeKey optional supersede key: the message supersedes the earlier ones with this key
 *     whose deliveries have not started an attempt (latest-state webhooks)
 * @param tenant optional tenant: deliver to that tenant's runtime endpoints that take the type
 *     (exclusive with {@code endpoint})
 */
public record PublishRequest(
    String eventType,
    String payloadJson,
    @Nullable String orderingKey,
    @Nullable String eventId,
    @Nullable String endpoint,
    @Nullable String supersedeKey,
    @Nullable String tenant) {

  /** A request without a supersede key or tenant. */
  public PublishRequest(String eventType, String payloadJson, @Nullable String orderingKey, @Nullable String eventId,
      @Nullable String endpoint) {
    this(eventType, payloadJson, orderingKey, eventId, endpoint, null, null);
  }

  public static PublishRequest of(String eventType, String payloadJson) {
    return new PublishRequest(eventType, payloadJson, null, null, null, null, null);
  }

  /** This request with a supersede key. */
  public PublishRequest withSupersedeKey(@Nullable String key) {
    return new PublishRequest(eventType, payloadJson, orderingKey, eventId, endpoint, key, tenant);
  }

  /** This request addressed to a tenant's runtime endpoints. */
  public PublishRequest withTenant(@Nullable String value) {
    return new PublishRequest(eventType, payloadJson, orderingKey, eventId, endpoint, supersedeKey, value);
  }
}
