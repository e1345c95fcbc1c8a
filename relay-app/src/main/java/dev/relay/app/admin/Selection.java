package dev.relay.app.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.app.http.BadRequest;
import dev.relay.app.http.Fields;
import dev.relay.app.http.Query;
import dev.relay.engine.deadletter.DeadLetterQuery;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Which dead letters an operation applies to: explicit ids, or filters (endpoint, event type,
 * died since/until, limit). Replaying or discarding with no filter at all needs {@code "all":
 * true} (a JSON boolean: {@code 1} is a 400, never "everything"), so an empty body cannot empty the
 * dead-letter queue by accident.
 */
record Selection(List<Long> ids, DeadLetterQuery query) {

  static final int DEFAULT_LIST_LIMIT = 100;
  static final Set<String> FIELDS = Set.of("ids", "endpoint", "event_type", "since", "until", "limit", "all");

  static Selection fromQuery(Query q, int defaultLimit) {
    int limit = q.integer("limit", 1, DeadLetterQuery.MAX_LIMIT, defaultLimit);
    return new Selection(List.of(), query(q.text("endpoint", Limits.NAME), q.text("event_type", Limits.TEXT),
        q.instant("since"), q.instant("until"), limit));
  }

  static Selection fromBody(JsonNode body) {
    Fields f = Fields.of(body, FIELDS);
    List<Long> ids = f.ids("ids", DeadLetterQuery.MAX_LIMIT);
    String endpoint = f.text("endpoint", Limits.NAME);
    String eventType = f.text("event_type", Limits.TEXT);
    Instant since = f.instant("since");
    Instant until = f.instant("until");
    int limit = f.integer("limit", 1, DeadLetterQuery.MAX_LIMIT, DeadLetterQuery.MAX_LIMIT);
    boolean all = f.bool("all");
    if (ids.isEmpty() && endpoint == null && eventType == null && since == null && until == null && !all) {
      throw new BadRequest("select dead letters with ids, endpoint, event_type, since or until (or \"all\": true)");
    }
    return new Selection(ids, query(endpoint, eventType, since, until, limit));
  }

  private static DeadLetterQuery query(@Nullable String endpoint, @Nullable String eventType,
      @Nullable Instant since, @Nullable Instant until, int limit) {
    try {
      return new DeadLetterQuery(endpoint, eventType, since, until, limit);
    } catch (IllegalArgumentException e) {
      throw new BadRequest(e.getMessage() == null ? "bad selection" : e.getMessage());
    }
  }
}
