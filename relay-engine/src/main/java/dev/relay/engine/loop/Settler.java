package dev.relay.engine.loop;

import dev.relay.engine.config.AutoDisablePolicy;
import dev.relay.engine.db.Queries;
import dev.relay.engine.db.Sql;
import dev.relay.engine.spi.Exchange;
import io.r2dbc.spi.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Writes a batch of settlements in one fenced statement (endpoint holds, 410 disables, failure
 * streaks and the attempt history included) and reports which ones took, and which failing
 * endpoints the statement warned or disabled.
 */
final class Settler {
  private final Queries queries;
  private final String settleSql;
  private final String releaseSql;
  private final UUID instance;
  private final AutoDisablePolicy autoDisable;

  /** {@code instance}: this relay's id, recorded with every attempt it settles. */
  Settler(Queries queries, Sql sql, UUID instance, AutoDisablePolicy autoDisable) {
    this.queries = queries;
    this.instance = instance;
    this.autoDisable = autoDisable;
    this.settleSql = sql.settle();
    this.releaseSql = sql.release();
  }

  /** A settled row: its endpoint, new state, and age since publish (database time). */
  record Settled(long id, String endpoint, String state, double ageSeconds) {}

  /**
   * A failing endpoint this statement warned (half the window) or disabled: exactly one settle,
   * of all relays, reports each.
   */
  record Streak(String endpoint, boolean disabled, double failingSeconds, int failedAttempts,
      @Nullable String reason) {}

  /** What a settle statement returned. */
  record Result(List<Settled> settled, List<Streak> streaks) {}

  Mono<Result> settle(List<Settlement> batch) {
    int n = batch.size();
    Long[] ids = new Long[n];
    UUID[] tokens = new UUID[n];
    String[] states = new String[n];
    Long[] delays = new Long[n];
    Integer[] statuses = new Integer[n];
    String[] errors = new String[n];
    Integer[] refunds = new Integer[n];
    String[] endpoints = new String[n];
    Long[] holds = new Long[n];
    String[] disables = new String[n];
    Long[] startedMicros = new Long[n];
    Integer[] durations = new Integer[n];
    String[] excerpts = new String[n];
    Boolean[] verdicts = new Boolean[n];
    for (int i = 0; i < n; i++) {
      Settlement s = batch.get(i);
      ids[i] = s.claimed().delivery().id();
      tokens[i] = s.claimed().lease();
      states[i] = s.state();
      delays[i] = s.delayMillis();
      statuses[i] = s.status();
      errors[i] = s.error();
      refunds[i] = s.refund();
      endpoints[i] = s.endpoint();
      holds[i] = s.holdMillis();
      disables[i] = s.disableEndpointReason() == null ? null : "receiver said gone: " + s.disableEndpointReason();
      verdicts[i] = s.receiverVerdict();
      Exchange exchange = s.exchange();
      if (exchange != null) {
        startedMicros[i] = ChronoUnit.MICROS.between(Instant.EPOCH, exchange.startedAt());
        durations[i] = (int) Math.min(Integer.MAX_VALUE, exchange.duration().toMillis());
        excerpts[i] = exchange.responseExcerpt();
      }
    }
    Long window = autoDisable.afterMillis();
    // Deferred: a settle that failed is subscribed again (retried), and starts from empty lists.
    return Mono.defer(() -> {
      List<Settled> settled = new ArrayList<>(n);
      List<Streak> streaks = new ArrayList<>();
      return queries.within(c -> {
            Statement statement = c.createStatement(settleSql)
                .bind(0, ids).bind(1, tokens).bind(2, states).bind(3, delays).bind(4, statuses)
                .bind(5, errors).bind(6, refunds).bind(7, endpoints).bind(8, holds).bind(9, disables)
                .bind(10, startedMicros).bind(11, durations).bind(12, excerpts).bind(13, instance)
                .bind(15, autoDisable.minFailedAttempts()).bind(16, verdicts);
            if (window == null) {
              statement.bindNull(14, Long.class);
            } else {
              statement.bind(14, window);
            }
            return Flux.from(statement.execute()).concatMap(r -> r.map(row -> {
              Long id = row.get("id", Long.class);
              String endpoint = row.get("endpoint", String.class);
              String state = row.get("state", String.class);
              double seconds = row.get("age_seconds", Number.class).doubleValue();
              if (id != null) {
                settled.add(new Settled(id, endpoint, state, seconds));
              } else {
                streaks.add(new Streak(endpoint, "disabled".equals(state), seconds,
                    row.get("failed_attempts", Integer.class), row.get("reason", String.class)));
              }
              return seconds;
            }));
          })
          .then(Mono.fromSupplier(() -> new Result(List.copyOf(settled), List.copyOf(streaks))));
    });
  }

  /** Hands unfinished leases back (shutdown past the grace period). Rows released. */
  Mono<Long> release(List<Claimed> claims) {
    if (claims.isEmpty()) {
      return Mono.just(0L);
    }
    Long[] ids = claims.stream().map(c -> c.delivery().id()).toArray(Long[]::new);
    UUID[] tokens = claims.stream().map(Claimed::lease).toArray(UUID[]::new);
    return queries.within(c -> Flux.from(c.createStatement(releaseSql).bind(0, ids).bind(1, tokens).execute())
            .concatMap(r -> r.getRowsUpdated()))
        .reduce(0L, Long::sum);
  }
}
