package dev.relay.engine.loop;

import dev.relay.engine.config.EngineConfig;
import dev.relay.engine.db.Queries;
import dev.relay.engine.db.Sql;
import dev.relay.engine.spi.Delivery;
import io.r2dbc.spi.Statement;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Runs the claim statement for a plan: one round trip, one lease token per batch. */
final class Claimer {
  /**
   * The most payload (as stored) one claim takes, besides its first row: the claim batch size
   * times the payload limit could otherwise be hundreds of megabytes in one reply.
   */
  static final long CLAIM_BYTES = 8L << 20;

  private final Queries queries;
  /** Built once: the text is long, and it never changes. */
  private final String claimSql;
  private final EngineConfig config;
  private final UUID instance;

  Claimer(Queries queries, Sql sql, EngineConfig config, UUID instance) {
    this.queries = queries;
    this.claimSql = sql.claim();
    this.config = config;
    this.instance = instance;
  }

  Mono<List<Claimed>> claim(ClaimPlan plan) {
    return Mono.defer(() -> {
      // Unique, not secret: UUID.randomUUID() would read SecureRandom (a blocking file read) on
      // an event loop.
      ThreadLocalRandom random = ThreadLocalRandom.current();
      UUID lease = new UUID(random.nextLong(), random.nextLong());
      long leaseNanos = config.lease().toNanos();
      long sent = System.nanoTime();
      return queries.within(c -> Flux.from(bind(c.createStatement(claimSql), plan, lease).execute())
                  .concatMap(r -> r.map(row -> {
                    Delivery delivery = new Delivery(
                        row.get("id", Long.class),
                        row.get("endpoint", String.class),
                        row.get("event_id", String.class),
                        row.get("event_type", String.class),
                        row.get("payload", String.class),
                        row.get("content_type", String.class),
                        row.get("ordering_key", String.class),
                        row.get("attempts", Integer.class),
                        row.get("created_at", OffsetDateTime.class).toInstant(),
                        row.get("traceparent", String.class),
                        row.get("tracestate", String.class));
                    return new Row(delivery, row.get("undeliverable", String.class));
                  })))
          .collectList()
          .map(deliveries -> {
            long received = System.nanoTime();
            return deliveries.stream()
                .map(d -> new Claimed(d.delivery(), lease, sent + leaseNanos, received + leaseNanos, d.undeliverable()))
                .toList();
          });
    });
  }

  /** A claimed row as read, before it gets its lease. */
  private record Row(Delivery delivery, @Nullable String undeliverable) {}

  private Statement bind(Statement statement, ClaimPlan plan, UUID lease) {
    statement
        .bind(0, config.lease().toMillis())
        .bind(1, lease)
        .bind(2, instance)
        .bind(3, plan.names().toArray(String[]::new))
        .bind(4, plan.caps().toArray(Integer[]::new))
        .bind(5, plan.keyCursors().toArray(String[]::new))
        .bind(6, plan.defaultCap())
        .bind(7, plan.limit())
        .bind(8, plan.cursor())
        .bind(10, config.maxPayloadBytes())
        .bind(11, CLAIM_BYTES);
    List<String> only = plan.only();
    return only == null ? statement.bindNull(9, String[].class) : statement.bind(9, only.toArray(String[]::new));
  }
}
