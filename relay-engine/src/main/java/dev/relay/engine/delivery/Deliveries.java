package dev.relay.engine.delivery;

import dev.relay.engine.db.Database;
import dev.relay.engine.db.Queries;
import dev.relay.engine.db.Sql;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Looks deliveries up for operators: by the event id the application chose, or by id. */
public final class Deliveries {
  private final Queries queries;
  private final Sql sql;

  public Deliveries(Database database) {
    this.queries = database.queries();
    this.sql = database.sql();
  }

  /** Every delivery of one message, one per endpoint. */
  public Flux<DeliveryRecord> findByEventId(String eventId) {
    return queries.query(sql.deliveriesByEventId(), DeliveryRows::map, eventId);
  }

  public Mono<DeliveryRecord> findById(long id) {
    return queries.one(sql.deliveryById(), DeliveryRows::map, id);
  }
}
