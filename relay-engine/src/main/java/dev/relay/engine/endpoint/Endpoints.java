package dev.relay.engine.endpoint;

import dev.relay.engine.db.Database;
import dev.relay.engine.db.Queries;
import dev.relay.engine.db.Sql;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The endpoint mirror: sync from configuration, pause, resume, list with backlog. */
public final class Endpoints {
  private static final Logger log = LoggerFactory.getLogger(Endpoints.class);

  private final Queries queries;
  private final Sql sql;

  public Endpoints(Database database) {
    this.queries = database.queries();
    this.sql = database.sql();
  }

  /**
   * Upserts the configured endpoints and marks the others removed: never deleted, their
   * deliveries held until they come back.
   */
  public Mono<SyncResult> sync(List<EndpointSpec> specs) {
    List<String> added = new ArrayList<>();
    List<String> updated = new ArrayList<>();
    String[] names = specs.stream().map(EndpointSpec::name).toArray(String[]::new);
    if (Arrays.stream(names).distinct().count() != names.length) {
      return Mono.error(new IllegalArgumentException("endpoint names must be unique: " + Arrays.toString(names)));
    }
    return Flux.fromIterable(specs)
        .concatMap(spec -> queries.one(sql.upsertEndpoint(), row -> Boolean.TRUE.equals(row.get(0, Boolean.class)),
                spec.name(), spec.eventTypes().toArray(String[]::new), spec.likePatterns().toArray(String[]::new),
                spec.paused())
            .doOnNext(inserted -> (inserted ? added : updated).add(spec.name())))
        .thenMany(queries.query(sql.removeEndpointsNotIn(), row -> row.get(0, String.class), (Object) names))
        .collectList()
        .map(removed -> {
          if (!removed.isEmpty()) {
            log.warn("Endpoints no longer configured, their deliveries are held: {}", removed);
          }
          return new SyncResult(List.copyOf(added), List.copyOf(updated), removed);
        });
  }

  /** Holds an endpoint's deliveries. False if there is no such endpoint. */
  public Mono<Boolean> pause(String name, String reason) {
    return queries.update(sql.pauseEndpoint(), name, reason).map(n -> n > 0);
  }

  /** Releases a paused or disabled (410) endpoint. False if there is no such endpoint. */
  public Mono<Boolean> resume(String name) {
    return queries.update(sql.resumeEndpoint(), name).map(n -> n > 0);
  }

  public Flux<EndpointStatus> list() {
    return status(null);
  }

  public Mono<EndpointStatus> get(String name) {
    return status(name).next();
  }

  private Flux<EndpointStatus> status(@Nullable String name) {
    return queries.query(sql.listEndpoints(), row -> {
      boolean removed = Boolean.TRUE.equals(row.get("removed", Boolean.class));
      boolean paused = Boolean.TRUE.equals(row.get("paused", Boolean.class));
      String disabled = row.get("disabled_reason", String.class);
      String state = removed ? "removed" : disabled != null ? "disabled" : paused ? "paused" : "active";
      String reason = removed ? "no longer in the configuration"
          : disabled != null ? disabled : paused ? row.get("paused_reason", String.class) : null;
      Number oldest = row.get("oldest_age_seconds", Number.class);
      String[] types = row.get("event_types", String[].class);
      return new EndpointStatus(
          row.get("name", String.class),
          types == null ? List.of() : List.of(types),
          state,
          reason,
          row.get("backlog", Long.class),
          oldest == null ? null : Duration.ofMillis((long) (oldest.doubleValue() * 1000)),
          row.get("dead", Long.class));
    }, name == null ? Queries.nullOf(String.class) : name);
  }
}
