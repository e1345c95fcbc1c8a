package dev.relay.app.health;

import dev.relay.engine.EngineHealth;
import dev.relay.engine.RelayEngine;
import dev.relay.engine.db.Database;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import reactor.core.publisher.Mono;

/**
 * Ready means: the database answers, the schema is migrated, the delivery loop runs with a working
 * wakeup source (LISTEN, or the polling fallback) and makes progress (a claim or settle completed
 * recently: a relay wedged on a frozen connection is not ready), and the relay is not shutting down.
 */
public final class Readiness {
  private final Database database;
  private final RelayEngine engine;
  private final BooleanSupplier migrated;
  private final BooleanSupplier draining;
  private final Duration timeout;

  public Readiness(Database database, RelayEngine engine, BooleanSupplier migrated, BooleanSupplier draining,
      Duration timeout) {
    this.database = database;
    this.engine = engine;
    this.migrated = migrated;
    this.draining = draining;
    this.timeout = timeout;
  }

  public Mono<HealthReport> check() {
    return database.ping()
        .timeout(timeout)
        .then(Mono.fromCallable(() -> new HealthReport.Check(true, "reachable")))
        .onErrorResume(e -> Mono.just(new HealthReport.Check(false, "unreachable: " + describe(e))))
        .map(db -> {
          Map<String, HealthReport.Check> checks = new LinkedHashMap<>();
          checks.put("database", db);
          checks.put("migrations", migrated.getAsBoolean()
              ? new HealthReport.Check(true, "schema " + database.config().schema() + " is up to date")
              : new HealthReport.Check(false, "schema " + database.config().schema() + " is not migrated; run `relay migrate`"));
          EngineHealth engineHealth = engine.health();
          checks.put("delivery", new HealthReport.Check(engineHealth.ok(),
              engineHealth.mode() + ": " + engineHealth.detail()));
          if (draining.getAsBoolean()) {
            checks.put("shutdown", new HealthReport.Check(false, "shutting down: no new claims"));
          }
          boolean ok = checks.values().stream().allMatch(HealthReport.Check::ok);
          return new HealthReport(ok ? "ready" : "not_ready", checks);
        });
  }

  private static String describe(Throwable e) {
    String m = e.getMessage();
    return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }
}
