package dev.relay.engine.endpoint;

import dev.relay.engine.config.AutoDisablePolicy;
import dev.relay.engine.db.Database;
import dev.relay.engine.db.Queries;
import dev.relay.engine.db.Sql;
import io.r2dbc.spi.Readable;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Operator controls over endpoints: pause, resume, list with backlog, and ordering keys held by
 * a dead letter. Which endpoints exist and what they take is kept by the relays' registrations
 * ({@link dev.relay.engine.registry.Registry}).
 */
public final class Endpoints {
  private final Database database;
  private final Queries queries;
  private final Sql sql;
  private final AutoDisablePolicy autoDisable;

  /** {@code autoDisable}: to tell when a failing endpoint would be disabled. */
  public Endpoints(Database database, AutoDisablePolicy autoDisable) {
    this.database = database;
    this.autoDisable = autoDisable;
    this.queries = database.queries();
    this.sql = database.sql();
  }

  /** Holds an endpoint's deliveries. False if there is no such endpoint. */
  public Mono<Boolean> pause(String name, String reason) {
    return queries.update(sql.pauseEndpoint(), name, reason).map(n -> n > 0);
  }

  /**
   * Releases a paused or disabled (410 or automatically) endpoint, ends its failure streak, and
   * wakes every relay to claim its backlog. False if there is no such endpoint.
   */
  public Mono<Boolean> resume(String name) {
    return queries.update(sql.resumeEndpoint(), name)
        .flatMap(n -> n > 0 ? database.notifyRelays().thenReturn(true) : Mono.just(false));
  }

  public Flux<EndpointStatus> list() {
    return status(null);
  }

  public Mono<EndpointStatus> get(String name) {
    return Queries.first(status(name));
  }

  private Flux<EndpointStatus> status(@Nullable String name) {
    return queries.query(sql.listEndpoints(), row -> {
      boolean removed = Boolean.TRUE.equals(row.get("removed", Boolean.class));
      boolean paused = Boolean.TRUE.equals(row.get("paused", Boolean.class));
      String disabled = row.get("disabled_reason", String.class);
      String state = removed ? "removed" : disabled != null ? "disabled" : paused ? "paused" : "active";
      String reason = removed ? "no running relay serves it (it is in no live relay's configuration)"
          : disabled != null ? disabled : paused ? row.get("paused_reason", String.class) : null;
      Number oldest = row.get("oldest_age_seconds", Number.class);
      OffsetDateTime held = row.get("held_until", OffsetDateTime.class);
      String[] types = row.get("event_types", String[].class);
      return new EndpointStatus(
          row.get("name", String.class),
          types == null ? List.of() : List.of(types),
          state,
          reason,
          row.get("backlog", Long.class),
          oldest == null ? null : Duration.ofMillis((long) (oldest.doubleValue() * 1000)),
          row.get("dead", Long.class),
          row.get("on_dead_letter", String.class),
          held == null ? null : held.toInstant(),
          streak(row));
    }, name == null ? Queries.nullOf(String.class) : name);
  }

  private @Nullable FailureStreak streak(Readable row) {
    OffsetDateTime since = row.get("failing_since", OffsetDateTime.class);
    if (since == null) {
      return null;
    }
    OffsetDateTime warned = row.get("warned_at", OffsetDateTime.class);
    Integer failed = row.get("failed_attempts", Integer.class);
    return new FailureStreak(since.toInstant(), failed == null ? 0 : failed,
        warned == null ? null : warned.toInstant(),
        autoDisable.enabled() ? since.toInstant().plus(autoDisable.after()) : null);
  }

  /**
   * Ordering keys held by a dead letter on endpoints whose dead letters block their key ({@code
   * endpoint} null for all), at most {@code limit}.
   */
  public Flux<BlockedKey> blockedKeys(@Nullable String endpoint, int limit) {
    return queries.query(sql.blockedKeys(), row -> new BlockedKey(
            row.get("endpoint", String.class),
            row.get("ordering_key", String.class),
            row.get("dead_letter_id", Long.class),
            row.get("waiting", Long.class)),
        endpoint == null ? Queries.nullOf(String.class) : endpoint, limit);
  }
}
