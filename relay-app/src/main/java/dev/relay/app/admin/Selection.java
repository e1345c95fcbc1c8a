package dev.relay.app.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.app.http.BadRequest;
import dev.relay.app.http.Query;
import dev.relay.engine.deadletter.DeadLetterQuery;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Which dead letters an operation applies to: explicit ids, or filters (endpoint, event type,
 * died since/until, limit). Replaying or discarding with no filter at all needs {@code "all":
 * true}, so an empty body cannot empty the dead-letter queue by accident.
 */
record Selection(List<Long> ids, DeadLetterQuery query) {

  static final int DEFAULT_LIST_LIMIT = 100;

  static Selection fromQuery(Query q, int defaultLimit) {
    int limit = q.integer("limit", defaultLimit);
    return new Selection(List.of(), query(q.get("endpoint"), q.get("event_type"), q.instant("since"),
        q.instant("until"), limit));
  }

  static Selection fromBody(JsonNode body) {
    if (!body.isObject()) {
      throw new BadRequest("body must be a JSON object");
    }
    List<Long> ids = new ArrayList<>();
    JsonNode idsNode = body.path("ids");
    if (!idsNode.isMissingNode() && !idsNode.isNull()) {
      if (!idsNode.isArray()) {
        throw new BadRequest("ids must be an array of delivery ids");
      }
      for (JsonNode id : idsNode) {
        if (!id.canConvertToExactIntegral()) {
          throw new BadRequest("ids must be an array of delivery ids");
        }
        ids.add(id.asLong());
      }
    }
    String endpoint = text(body, "endpoint");
    String eventType = text(body, "event_type");
    String since = text(body, "since");
    String until = text(body, "until");
    int limit = body.path("limit").isMissingNode() ? DeadLetterQuery.MAX_LIMIT : body.path("limit").asInt(-1);
    boolean all = body.path("all").asBoolean(false);
    if (ids.isEmpty() && endpoint == null && eventType == null && since == null && until == null && !all) {
      throw new BadRequest("select dead letters with ids, endpoint, event_type, since or until (or \"all\": true)");
    }
    return new Selection(ids, query(endpoint, eventType, Query.instant("since", since), Query.instant("until", until),
        limit));
  }

  private static DeadLetterQuery query(@Nullable String endpoint, @Nullable String eventType,
      java.time.@Nullable Instant since, java.time.@Nullable Instant until, int limit) {
    try {
      return new DeadLetterQuery(endpoint, eventType, since, until, limit);
    } catch (IllegalArgumentException e) {
      throw new BadRequest(e.getMessage() == null ? "bad selection" : e.getMessage());
    }
  }

  static @Nullable String text(JsonNode body, String field) {
    JsonNode n = body.path(field);
    if (n.isMissingNode() || n.isNull()) {
      return null;
    }
    if (!n.isTextual() || n.asText().isBlank()) {
      throw new BadRequest(field + " must be a non-empty string");
    }
    return n.asText();
  }
}
