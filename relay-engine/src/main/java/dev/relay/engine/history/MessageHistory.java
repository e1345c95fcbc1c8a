package dev.relay.engine.history;

import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A message with every endpoint's delivery and each one's attempts.
 *
 * @param unrouted no endpoint subscribed when it was published
 * @param truncated true when more attempts exist than the limit allowed (the oldest are shown)
 */
public record MessageHistory(
    long messageId,
    String eventId,
    String eventType,
    @Nullable String orderingKey,
    boolean unrouted,
    Instant publishedAt,
    List<DeliveryHistory> deliveries,
    boolean truncated) {
  public MessageHistory {
    deliveries = List.copyOf(deliveries);
  }
}
