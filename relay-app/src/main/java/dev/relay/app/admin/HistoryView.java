package dev.relay.app.admin;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.relay.app.http.Json;
import dev.relay.engine.history.DeliveryHistory;
import dev.relay.engine.history.MessageHistory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The attempt history as the admin API shows it: a delivery's fields with its attempts beside them. */
final class HistoryView {
  private static final TypeReference<LinkedHashMap<String, Object>> OBJECT = new TypeReference<>() {};

  private HistoryView() {}

  static Map<String, Object> of(DeliveryHistory h) {
    Map<String, Object> out = Json.MAPPER.convertValue(h.delivery(), OBJECT);
    out.put("history", h.attempts()); // "attempts" is the delivery's count
    return out;
  }

  static Map<String, Object> of(MessageHistory m) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("message_id", m.messageId());
    out.put("event_id", m.eventId());
    out.put("event_type", m.eventType());
    out.put("ordering_key", m.orderingKey());
    out.put("unrouted", m.unrouted());
    out.put("published_at", m.publishedAt());
    List<Map<String, Object>> deliveries = m.deliveries().stream().map(HistoryView::of).toList();
    out.put("deliveries", deliveries);
    out.put("attempts_truncated", m.truncated());
    return out;
  }
}
