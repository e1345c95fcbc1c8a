package dev.relay.engine.loop;

import dev.relay.engine.config.EngineConfig;
import dev.relay.engine.db.Sql;
import dev.relay.engine.spi.Delivery;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Runs the claim statement: one round trip, one lease token per batch. */
final class Claimer {
  private final ConnectionFactory pool;
  private final Sql sql;
  private final EngineConfig config;

  Claimer(ConnectionFactory pool, Sql sql, EngineConfig config) {
    this.pool = pool;
    this.sql = sql;
    this.config = config;
  }

  Mono<List<Claimed>> claim(int limit, Capacity.Caps caps, int defaultCap, Set<String> unavailable) {
    // Unique, not secret: UUID.randomUUID() would read SecureRandom (a blocking file read) on
    // an event loop.
    ThreadLocalRandom random = ThreadLocalRandom.current();
    UUID lease = new UUID(random.nextLong(), random.nextLong());
    return Flux.usingWhen(
            pool.create(),
            c -> Flux.from(c.createStatement(sql.claim())
                    .bind(0, config.lease().toMillis())
                    .bind(1, lease)
                    .bind(2, caps.names())
                    .bind(3, caps.caps())
                    .bind(4, defaultCap)
                    .bind(5, unavailable.toArray(String[]::new))
                    .bind(6, limit)
                    .execute())
                .concatMap(r -> r.map(row -> new Claimed(
                    new Delivery(
                        row.get("id", Long.class),
                        row.get("endpoint", String.class),
                        row.get("event_id", String.class),
                        row.get("event_type", String.class),
                        row.get("payload", String.class),
                        row.get("content_type", String.class),
                        row.get("ordering_key", String.class),
                        row.get("attempts", Integer.class),
                        instant(row.get("created_at", OffsetDateTime.class))),
                    lease))),
            Connection::close)
        .collectList();
  }

  private static Instant instant(OffsetDateTime time) {
    return time.toInstant();
  }
}
