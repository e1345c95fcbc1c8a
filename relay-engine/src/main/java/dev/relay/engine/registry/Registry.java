package dev.relay.engine.registry;

import dev.relay.engine.db.Database;
import dev.relay.engine.db.Queries;
import dev.relay.engine.db.Sql;
import dev.relay.engine.endpoint.EndpointSpec;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * This relay's registration: a random instance id for the life of the process and the endpoints
 * it serves. The claim takes rows only of endpoints registered by the claiming instance, so a
 * relay never claims what it cannot deliver (invariant 8). Routing, which endpoints receive a
 * delivery for which event types, is the union over live instances (heartbeat within {@link
 * #EXPIRY}): during a rolling deploy old and new relays agree on it, and neither undoes the other
 * at start. An endpoint no live relay serves stops receiving new deliveries; its pending ones
 * are held until a relay serves it again. A clean stop deregisters at once; a crashed relay's
 * registration lapses after {@link #EXPIRY}.
 */
public final class Registry {
  private static final Logger log = LoggerFactory.getLogger(Registry.class);
  /** How often a relay says it is alive. */
  public static final Duration HEARTBEAT = Duration.ofSeconds(10);
  /**
   * How long a silent relay still counts as serving its endpoints. Long enough that a crashed
   * relay restarting does not change routing in between; a relay that stops cleanly leaves at once.
   */
  public static final Duration EXPIRY = Duration.ofMinutes(5);

  private final Queries queries;
  private final Sql sql;
  private final UUID instance;
  private final String name;
  private final List<EndpointSpec> endpoints;
  private final boolean servesRuntime;
  private volatile boolean registered;

  public Registry(Database database, List<EndpointSpec> endpoints, String name) {
    this(database, endpoints, name, false);
  }

  /**
   * @param servesRuntime whether this relay also serves every endpoint managed at runtime (it has
   *     the key to their secrets)
   */
  public Registry(Database database, List<EndpointSpec> endpoints, String name, boolean servesRuntime) {
    Set<String> names = new HashSet<>();
    for (EndpointSpec e : endpoints) {
      if (!names.add(e.name())) {
        throw new IllegalArgumentException("endpoint names must be unique: '" + e.name() + "' is given twice");
      }
    }
    this.queries = database.queries();
    this.sql = database.sql();
    this.instance = UUID.randomUUID();
    this.name = name;
    this.endpoints = List.copyOf(endpoints);
    this.servesRuntime = servesRuntime;
  }

  public UUID instance() {
    return instance;
  }

  public List<EndpointSpec> endpoints() {
    return endpoints;
  }

  /** Registers (again) and reconciles routing. */
  public Mono<Void> register() {
    return queries.query(sql.registerInstance(), row -> true, instance, name, json(endpoints), EXPIRY.toMillis(),
            servesRuntime)
        .then()
        .doOnSuccess(n -> registered = true)
        .doOnSuccess(n -> log.info("Registered as relay instance {} ({}) serving {}{}", instance, name,
            endpoints.stream().map(EndpointSpec::name).toList(),
            servesRuntime ? " and every endpoint managed at runtime" : ""));
  }

  /** Says this relay is alive; registers again if its registration had lapsed. */
  public Mono<Void> heartbeat() {
    return queries.one(sql.heartbeat(), row -> Boolean.TRUE.equals(row.get(0, Boolean.class)), instance,
            EXPIRY.toMillis())
        .flatMap(alive -> {
          if (alive) {
            return Mono.empty();
          }
          log.warn("This relay's registration had lapsed (no heartbeat for {}); registering again", EXPIRY);
          return register();
        });
  }

  /** Ends this relay's registration now, e.g. at a clean stop; nothing if it never registered. */
  public Mono<Void> deregister() {
    return Mono.defer(() -> registered
        ? queries.query(sql.deregisterInstance(), row -> true, instance, EXPIRY.toMillis()).then()
            .doOnSuccess(n -> registered = false)
        : Mono.empty());
  }

  /**
   * Creates the endpoints that do not exist yet, without registering anyone, so applications can
   * publish to them before a relay serving them runs (e.g. right after {@code relay migrate}).
   */
  public static Mono<Void> declare(Database database, List<EndpointSpec> endpoints) {
    return database.queries().update(database.sql().declareEndpoints(), json(endpoints)).then();
  }

  /** The JSON array relay.register_instance takes. */
  static String json(List<EndpointSpec> endpoints) {
    StringBuilder out = new StringBuilder("[");
    for (EndpointSpec e : endpoints) {
      if (out.length() > 1) {
        out.append(',');
      }
      out.append("{\"name\":").append(Json.string(e.name()))
          .append(",\"event_types\":").append(Json.strings(e.eventTypes()))
          .append(",\"patterns\":").append(Json.strings(e.likePatterns()))
          .append(",\"on_dead_letter\":").append(Json.string(e.onDeadLetter().key()))
          .append(",\"paused\":").append(e.paused())
          .append('}');
    }
    return out.append(']').toString();
  }
}
