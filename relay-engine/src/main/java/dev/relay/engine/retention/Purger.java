package dev.relay.engine.retention;

import dev.relay.engine.config.RetentionPolicy;
import dev.relay.engine.db.Database;
import dev.relay.engine.metrics.EngineMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Discards pending deliveries of deleted endpoints, then deletes terminal rows past their
 * retention window in small batches, so no transaction holds
 * many locks or runs long. Non-terminal rows are never touched (the state is checked in the
 * statement), a delivery's attempt history goes in the same statement as the delivery, and a
 * message goes only once no delivery references it.
 */
public final class Purger {
  private static final Logger log = LoggerFactory.getLogger(Purger.class);
  /** Bound on batches per run, so one run cannot monopolise a connection. */
  private static final int MAX_BATCHES_PER_RUN = 100;

  private final Database database;
  private final RetentionPolicy policy;
  private final EngineMetrics metrics;

  public Purger(Database database, RetentionPolicy policy, EngineMetrics metrics) {
    this.database = database;
    this.policy = policy;
    this.metrics = metrics;
  }

  /** One purge run: batches until a batch comes back short. Returns rows deleted. */
  public Mono<Long> purgeOnce() {
    return discardOrphans().then(batches(deliveries(), 0, 0L))
        .flatMap(d -> batches(messages(), 0, 0L).map(m -> d + m))
        .flatMap(n -> purgeTombstones().thenReturn(n))
        .doOnNext(n -> {
          if (n > 0) {
            log.info("Retention purged {} rows", n);
          }
        });
  }

  /** Pending deliveries of deleted endpoints (see {@link dev.relay.engine.db.Sql#discardOrphans}). */
  private Mono<Long> discardOrphans() {
    return database.queries().update(database.sql().discardOrphans()).doOnNext(n -> {
      if (n > 0) {
        log.warn("Discarded {} pending deliveries of endpoints that no longer exist (published while the endpoint"
            + " was being deleted)", n);
      }
    });
  }

  /**
   * Deletes tombstones of runtime endpoints deleted longer ago than the longest retention (their
   * deliveries are gone by then), so their names are free again.
   */
  private Mono<Long> purgeTombstones() {
    long longest = Math.max(policy.delivered().toMillis(), policy.dead().toMillis());
    return database.queries().update(database.sql().purgeTombstones(), longest)
        .doOnNext(n -> metrics.purged("endpoint", n));
  }

  /** One batch of deliveries with their attempt history; counts the deliveries (the batch size bounds them). */
  private Mono<Long> deliveries() {
    return database.queries()
        .one(database.sql().purgeDeliveries(), row -> new long[] {
                row.get("deliveries", Long.class), row.get("attempts", Long.class)},
            policy.delivered().toMillis(), policy.dead().toMillis(), policy.batchSize())
        .doOnNext(n -> {
          metrics.purged("delivery", n[0]);
          metrics.purged("attempt", n[1]);
        })
        .map(n -> n[0]);
  }

  private Mono<Long> messages() {
    return database.queries()
        .update(database.sql().purgeMessages(), policy.delivered().toMillis(), policy.batchSize())
        .doOnNext(n -> metrics.purged("message", n));
  }

  private Mono<Long> batches(Mono<Long> batch, int done, long total) {
    return batch.flatMap(n -> n >= policy.batchSize() && done + 1 < MAX_BATCHES_PER_RUN
        ? batches(batch, done + 1, total + n)
        : Mono.just(total + n));
  }
}
