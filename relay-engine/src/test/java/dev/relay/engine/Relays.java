package dev.relay.engine;

import dev.relay.engine.config.EngineConfig;
import dev.relay.engine.config.RetryPolicy;
import dev.relay.engine.db.Database;
import dev.relay.engine.endpoint.EndpointSpec;
import dev.relay.engine.endpoint.OnDeadLetter;
import dev.relay.engine.registry.Registry;
import dev.relay.engine.spi.Deliverer;
import dev.relay.engine.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;

/** Test wiring: a migrated database and engines with test-friendly timings. */
final class Relays {
  static final Duration WAIT = Duration.ofSeconds(30);

  private Relays() {}

  static Database migrated(TestDatabase db) {
    Database database = Database.connect(db.config(12));
    database.migrate().block(WAIT);
    return database;
  }

  /** Creates endpoints that do not exist yet (publishes route to them before any relay runs). */
  static void endpoints(Database database, EndpointSpec... specs) {
    Registry.declare(database, List.of(specs)).block(WAIT);
  }

  /** Every endpoint in the table, as a relay serving all of them would configure them. */
  static List<EndpointSpec> declared(Database database) {
    return database.queries()
        .query("SELECT name, event_types, on_dead_letter FROM " + database.sql().schema() + ".endpoint ORDER BY name",
            row -> new EndpointSpec(row.get("name", String.class), List.of(row.get("event_types", String[].class)),
                false, OnDeadLetter.parse(row.get("on_dead_letter", String.class))))
        .collectList()
        .block(WAIT);
  }

  /** Short lease and quick retries, so tests see retries and expiries in seconds. */
  static EngineConfig.Builder fast() {
    return EngineConfig.builder()
        .lease(Duration.ofSeconds(5))
        .attemptTimeout(Duration.ofSeconds(2))
        .pollInterval(Duration.ofSeconds(1))
        .pollIntervalWithoutNotify(Duration.ofMillis(200))
        .gaugeRefresh(Duration.ofMillis(200))
        .retry(new RetryPolicy(Duration.ofMillis(100), 2.0, Duration.ofMillis(400), 0.0, 5, Duration.ofSeconds(1)));
  }

  /** An engine serving every endpoint declared so far. */
  static Engine start(Database database, EngineConfig config, Deliverer deliverer) {
    return start(database, config, deliverer, declared(database));
  }

  static Engine start(Database database, EngineConfig config, Deliverer deliverer, List<EndpointSpec> endpoints) {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    RelayEngine engine = RelayEngine.create(database, config, endpoints, deliverer, registry);
    engine.start().block(WAIT);
    return new Engine(engine, registry);
  }

  record Engine(RelayEngine engine, SimpleMeterRegistry registry) implements AutoCloseable {
    double counter(String name, String... tags) {
      var counter = registry.find(name).tags(tags).counter();
      return counter == null ? 0 : counter.count();
    }

    double gauge(String name, String... tags) {
      var gauge = registry.find(name).tags(tags).gauge();
      return gauge == null ? Double.NaN : gauge.value();
    }

    @Override
    public void close() {
      engine.stop(Duration.ofSeconds(5)).block(WAIT);
    }
  }
}
