package dev.relay.engine.history;

import dev.relay.engine.db.Database;
import dev.relay.engine.db.Queries;
import dev.relay.engine.db.Sql;
import dev.relay.engine.delivery.DeliveryRecord;
import dev.relay.engine.delivery.DeliveryRows;
import io.r2dbc.spi.Readable;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/** Reads the attempt history: of a message (every delivery), of one delivery, an endpoint's failures. */
public final class AttemptHistory {
  /** The most attempts one call returns. */
  public static final int MAX_LIMIT = 1000;

  private final Queries queries;
  private final Sql sql;

  public AttemptHistory(Database database) {
    this.queries = database.queries();
    this.sql = database.sql();
  }

  /**
   * The message published with {@code eventId}, every endpoint's delivery and at most {@code limit}
   * attempts in all (oldest first per delivery); empty when there is no such message.
   */
  public Mono<MessageHistory> message(String eventId, int limit) {
    int n = checked(limit);
    Mono<List<DeliveryRecord>> deliveries = queries.query(sql.deliveriesByEventId(), DeliveryRows::map, eventId)
        .collectList();
    Mono<List<AttemptRecord>> attempts = queries.query(sql.attemptsByEventId(), AttemptHistory::attempt, eventId,
            n + 1)
        .collectList();
    return queries.one(sql.messageByEventId(), AttemptHistory::header, eventId)
        .flatMap(h -> Mono.zip(deliveries, attempts).map(t -> h.with(t.getT1(), t.getT2(), n)));
  }

  /** The attempts of delivery {@code id}, oldest first; empty when there is no such delivery. */
  public Mono<DeliveryHistory> delivery(long id, int limit) {
    int n = checked(limit);
    return queries.one(sql.deliveryById(), DeliveryRows::map, id)
        .flatMap(d -> queries.query(sql.attemptsByDelivery(), AttemptHistory::attempt, id, n)
            .collectList()
            .map(a -> new DeliveryHistory(d, a)));
  }

  /** The failed attempts of {@code endpoint}, newest first. */
  public Mono<List<AttemptRecord>> failures(String endpoint, int limit) {
    return queries.query(sql.endpointFailures(), AttemptHistory::attempt, endpoint, checked(limit)).collectList();
  }

  private static int checked(int limit) {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be 1.." + MAX_LIMIT + ", was " + limit);
    }
    return limit;
  }

  static AttemptRecord attempt(Readable row) {
    return new AttemptRecord(
        row.get("delivery_id", Long.class),
        row.get("attempt", Integer.class),
        row.get("endpoint", String.class),
        row.get("event_id", String.class),
        row.get("instance_id", UUID.class),
        row.get("instance_name", String.class),
        row.get("started_at", OffsetDateTime.class).toInstant(),
        row.get("duration_ms", Integer.class),
        row.get("status", Integer.class),
        row.get("error", String.class),
        row.get("response_excerpt", String.class));
  }

  private static Header header(Readable row) {
    return new Header(row.get("id", Long.class), row.get("event_id", String.class),
        row.get("event_type", String.class), row.get("ordering_key", String.class),
        Boolean.TRUE.equals(row.get("unrouted", Boolean.class)),
        row.get("created_at", OffsetDateTime.class));
  }

  /** The message row, before its deliveries are attached. */
  private record Header(long id, String eventId, String eventType, @Nullable String orderingKey,
      boolean unrouted, OffsetDateTime createdAt) {

    MessageHistory with(List<DeliveryRecord> deliveries, List<AttemptRecord> attempts, int limit) {
      Map<Long, List<AttemptRecord>> byDelivery = new LinkedHashMap<>();
      attempts.stream().limit(limit).forEach(a ->
          byDelivery.computeIfAbsent(a.deliveryId(), k -> new ArrayList<>()).add(a));
      List<DeliveryHistory> out = deliveries.stream()
          .map(d -> new DeliveryHistory(d, byDelivery.getOrDefault(d.id(), List.of())))
          .toList();
      return new MessageHistory(id, eventId, eventType, orderingKey, unrouted, createdAt.toInstant(), out,
          attempts.size() > limit);
    }
  }
}
