package dev.relay.loadtest.publish;

import dev.relay.loadtest.postgres.Identifiers;
import java.util.List;

/**
 * The publish calls, the way applications write them. One event: {@code SELECT relay.publish(type,
 * payload, event_id => …, endpoint => …)}. Several in one statement (and one transaction): the
 * same call over {@code jsonb_array_elements} of {@code [{"id","t","p"}]}.
 */
final class PublishStatements {
  static final String EVENT_TYPE = "load.event";

  private final String single;
  private final String batch;

  PublishStatements(String schema) {
    String s = Identifiers.checked(schema);
    this.single = "SELECT " + s + ".publish($1, $2::jsonb, event_id => $3, endpoint => $4)";
    this.batch = "SELECT " + s + ".publish($1, e->'p', event_id => e->>'id', endpoint => e->>'t') "
        + "FROM jsonb_array_elements($2::jsonb) e";
  }

  /** $1 event type, $2 payload, $3 event id, $4 endpoint or null. */
  String single() {
    return single;
  }

  /** $1 event type, $2 the JSON array from {@link #batchJson(List)}. */
  String batch() {
    return batch;
  }

  /** The same statements with JDBC's ? placeholders (parameters are in order). */
  static String jdbc(String sql) {
    return sql.replaceAll("\\$\\d+", "?");
  }

  static String batchJson(List<OutboundEvent> events) {
    StringBuilder b = new StringBuilder(events.size() * (events.get(0).payload().length() + 40)).append('[');
    for (OutboundEvent e : events) {
      if (b.length() > 1) {
        b.append(',');
      }
      b.append("{\"id\":\"").append(e.id()).append("\",\"t\":");
      b.append(e.endpoint() == null ? "null" : "\"" + e.endpoint() + "\"");
      b.append(",\"p\":").append(e.payload()).append('}');
    }
    return b.append(']').toString();
  }
}
