package dev.relay.engine.endpoint;

import dev.relay.engine.db.Database;
import dev.relay.engine.db.Queries;
import dev.relay.engine.db.Sql;
import io.r2dbc.spi.Readable;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Endpoints managed at runtime: the same operations the application has in SQL
 * ({@code relay.create_endpoint}, {@code update_endpoint}, {@code rotate_endpoint_secret}, {@code
 * delete_endpoint}; the database checks every field and raises the errors), and what relays need
 * to serve them: read one with its secrets, see which changed, seal secrets. Sealing itself
 * (the cipher) is the caller's.
 */
public final class RuntimeEndpoints {
  private final Queries queries;
  private final Sql sql;

  public RuntimeEndpoints(Database database) {
    this.queries = database.queries();
    this.sql = database.sql();
  }

  /** Creates one; emits its signing secret, the only time it is returned. */
  public Mono<String> create(NewEndpoint e) {
    return queries.one(sql.createEndpoint(), row -> row.get(0, String.class), e.name(), e.url(),
        e.eventTypes().toArray(String[]::new), orNull(e.tenant()), e.metadataJson(), orNull(e.secret()),
        e.onDeadLetter().key());
  }

  public Mono<Void> update(String name, EndpointChange c) {
    return queries.one(sql.updateEndpoint(), row -> true, name, orNull(c.url()),
            c.eventTypes() == null ? Queries.nullOf(String[].class) : c.eventTypes().toArray(String[]::new),
            orNull(c.tenant()), orNull(c.metadataJson()),
            c.onDeadLetter() == null ? Queries.nullOf(String.class) : c.onDeadLetter().key())
        .then();
  }

  /**
   * A new signing secret (given, or generated when null); the old one signs too for {@code
   * overlap}. Refused while a previous secret still signs, unless {@code force}.
   */
  public Mono<String> rotateSecret(String name, @Nullable String secret, Duration overlap, boolean force) {
    return queries.one(sql.rotateEndpointSecret(), row -> row.get(0, String.class), name, orNull(secret),
        overlap.toMillis(), force);
  }

  /** Deletes one; emits how many pending deliveries were discarded. */
  public Mono<Long> delete(String name, @Nullable String reason) {
    return queries.one(sql.deleteEndpoint(), row -> row.get(0, Long.class), name, orNull(reason));
  }

  /** One runtime endpoint with its secrets as stored; empty if there is none of that name. */
  public Mono<RuntimeEndpoint> find(String name) {
    return queries.one(sql.runtimeEndpoint(), RuntimeEndpoints::endpoint, name);
  }

  /** By name after {@code after} ("" from the start), at most {@code limit}; of one tenant unless null. */
  public Flux<RuntimeEndpoint> list(@Nullable String tenant, String after, int limit) {
    return queries.query(sql.listRuntimeEndpoints(), RuntimeEndpoints::endpoint, orNull(tenant), after, limit);
  }

  /** The current versions of these endpoints; a name absent from the answer no longer exists. */
  public Mono<Map<String, Long>> versions(Collection<String> names) {
    return queries.query(sql.runtimeVersions(), row -> Map.entry(row.get("name", String.class),
            row.get("version", Long.class)), (Object) names.toArray(String[]::new))
        .collectMap(Map.Entry::getKey, Map.Entry::getValue, HashMap::new);
  }

  /** Endpoints after {@code after} with a secret not sealed yet, at most {@code limit}. */
  public Flux<RuntimeEndpoint> unsealed(String after, int limit) {
    return queries.query(sql.unsealedEndpoints(), RuntimeEndpoints::endpoint, limit, after);
  }

  /** Endpoints after {@code after} whose sealed secrets use another key than {@code keyId}. */
  public Flux<RuntimeEndpoint> sealedWithOtherKeys(String keyId, String after, int limit) {
    return queries.query(sql.endpointsSealedWithOtherKeys(), RuntimeEndpoints::endpoint, keyId, after, limit);
  }

  /**
   * Secrets sealed for one endpoint at the version they were read from: a null one is kept as
   * it is. {@link #toString()} leaves them out.
   */
  public record Sealed(String name, long version, @Nullable String current, @Nullable String previous) {
    @Override
    public String toString() {
      return "Sealed[" + name + " v" + version + "]";
    }
  }

  /**
   * Stores sealed secrets, in one statement, for each endpoint still at the version they were
   * read from; emits how many endpoints changed.
   */
  public Mono<Long> seal(List<Sealed> batch) {
    if (batch.isEmpty()) {
      return Mono.just(0L);
    }
    return queries.update(sql.sealEndpointSecrets(),
        batch.stream().map(Sealed::name).toArray(String[]::new),
        batch.stream().map(Sealed::version).toArray(Long[]::new),
        batch.stream().map(Sealed::current).toArray(String[]::new),
        batch.stream().map(Sealed::previous).toArray(String[]::new));
  }

  /** Drops rotated-out secrets past their overlap; emits how many endpoints had one. */
  public Mono<Long> dropExpiredSecrets() {
    return queries.update(sql.dropExpiredSecrets());
  }

  private static Object orNull(@Nullable String value) {
    return value == null ? Queries.nullOf(String.class) : value;
  }

  private static RuntimeEndpoint endpoint(Readable row) {
    String[] types = row.get("event_types", String[].class);
    OffsetDateTime expires = row.get("previous_secret_expires_at", OffsetDateTime.class);
    Number left = row.get("previous_ms_left", Number.class);
    return new RuntimeEndpoint(
        row.get("name", String.class),
        row.get("url", String.class),
        types == null ? List.of() : List.of(types),
        row.get("tenant", String.class),
        row.get("metadata", String.class),
        OnDeadLetter.parse(row.get("on_dead_letter", String.class)),
        Boolean.TRUE.equals(row.get("paused", Boolean.class)),
        row.get("version", Long.class),
        row.get("created_at", OffsetDateTime.class).toInstant(),
        row.get("updated_at", OffsetDateTime.class).toInstant(),
        row.get("secret_sealed", String.class),
        row.get("secret_plain", String.class),
        row.get("previous_secret_sealed", String.class),
        row.get("previous_secret_plain", String.class),
        expires == null ? null : expires.toInstant(),
        left == null || expires == null ? null : Duration.ofMillis(Math.max(0, left.longValue())));
  }
}
