package dev.relay.engine.publish;

import dev.relay.engine.db.Database;
import dev.relay.engine.db.Queries;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * Publishes through {@code relay.publish} on the relay's own pool: for the admin API and tools.
 * Applications publish in their own transaction with the SQL function instead, so a webhook
 * exists exactly when their change committed.
 */
public final class MessagePublisher {
  private final Database database;

  public MessagePublisher(Database database) {
    this.database = database;
  }

  /** The message id; the existing one when the event id was published before. */
  public Mono<Long> publish(PublishRequest request) {
    return database.queries()
        .one(database.sql().publish(), row -> row.get(0, Long.class),
            orNull(request.eventType()),
            request.payloadJson(),
            orNull(request.orderingKey()),
            orNull(request.eventId()),
            orNull(request.endpoint()),
            Queries.nullOf(String.class),
            orNull(request.supersedeKey()),
            orNull(request.tenant()));
  }

  private static Object orNull(@Nullable String value) {
    return value == null ? Queries.nullOf(String.class) : value;
  }
}
