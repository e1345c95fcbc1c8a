package dev.relay.engine.deadletter;

import dev.relay.engine.db.Database;
import dev.relay.engine.db.Queries;
import dev.relay.engine.db.Sql;
import dev.relay.engine.delivery.DeliveryRecord;
import dev.relay.engine.delivery.DeliveryRows;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Operator actions on dead letters. Replay sends a delivery back to pending with a fresh attempt
 * budget; discard marks it discarded (kept for the retention window, then purged). Nothing here
 * deletes a row.
 */
public final class DeadLetters {
  private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);

  private final Database database;
  private final Queries queries;
  private final Sql sql;
  /** Wakes this relay at once (other relays are woken by NOTIFY). */
  private final Runnable wake;

  public DeadLetters(Database database, Runnable wake) {
    this.database = database;
    this.queries = database.queries();
    this.sql = database.sql();
    this.wake = wake;
  }

  public Flux<DeliveryRecord> list(DeadLetterQuery query) {
    return queries.query(sql.listDead(), DeliveryRows::map, params(query));
  }

  public Mono<Long> count(DeadLetterQuery query) {
    Object[] all = params(query);
    return queries.one(sql.countDead(), row -> row.get(0, Long.class), all[0], all[1], all[2], all[3]);
  }

  public Mono<Long> replay(DeadLetterQuery query) {
    return queries.update(sql.replayDead(), params(query)).flatMap(n -> done("Replayed", n, query));
  }

  public Mono<Long> replayIds(List<Long> ids) {
    return queries.update(sql.replayDeadIds(), (Object) ids.toArray(Long[]::new))
        .flatMap(n -> done("Replayed", n, ids));
  }

  public Mono<Long> discard(DeadLetterQuery query) {
    return queries.update(sql.discardDead(), params(query)).flatMap(n -> done("Discarded", n, query));
  }

  public Mono<Long> discardIds(List<Long> ids) {
    return queries.update(sql.discardDeadIds(), (Object) ids.toArray(Long[]::new))
        .flatMap(n -> done("Discarded", n, ids));
  }

  /**
   * Delivers every message published since {@code since} to {@code endpoint} again, whatever
   * happened to it before (delivered, dead, discarded, or never routed there). Pending
   * deliveries are left as they are. Returns the deliveries created or reset.
   */
  public Mono<Long> replayMessages(String endpoint, Instant since) {
    return queries.update(sql.replayMessages(), endpoint, OffsetDateTime.ofInstant(since, ZoneOffset.UTC))
        .doOnNext(n -> log.info("Replaying {} messages published since {} to {}", n, since, endpoint))
        .flatMap(this::wakeRelays);
  }

  /**
   * Logs the change and wakes the relays: a replayed row is due now, and a discarded dead letter
   * may release the rest of its ordering key.
   */
  private Mono<Long> done(String what, long n, Object selection) {
    log.info("{} {} dead letters ({})", what, n, selection);
    return wakeRelays(n);
  }

  private Mono<Long> wakeRelays(long changed) {
    if (changed == 0) {
      return Mono.just(changed);
    }
    return database.notifyRelays()
        .onErrorResume(e -> Mono.empty())
        .then(Mono.fromRunnable(wake))
        .thenReturn(changed);
  }

  private static Object[] params(DeadLetterQuery q) {
    return new Object[] {
      orNull(q.endpoint()),
      orNull(q.eventType()),
      time(q.since()),
      time(q.until()),
      q.limit()
    };
  }

  private static Object orNull(@Nullable String value) {
    return value == null ? Queries.nullOf(String.class) : value;
  }

  private static Object time(@Nullable Instant instant) {
    return instant == null ? Queries.nullOf(OffsetDateTime.class) : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }
}
