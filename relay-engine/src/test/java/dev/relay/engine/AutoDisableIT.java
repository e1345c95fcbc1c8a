package dev.relay.engine;

import static dev.relay.engine.Relays.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.relay.engine.config.EngineConfig;
import dev.relay.engine.config.RetryPolicy;
import dev.relay.engine.db.Database;
import dev.relay.engine.endpoint.EndpointSpec;
import dev.relay.engine.endpoint.EndpointStatus;
import dev.relay.engine.loop.DeliveryLoop;
import dev.relay.engine.metrics.EngineMetrics;
import dev.relay.engine.spi.Outcome;
import dev.relay.engine.testing.PostgresExtension;
import dev.relay.engine.testing.TestDatabase;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Failing endpoints disabled automatically (default window 5 days and 20 failed attempts), warned
 * at half of both, resumed by an operator; with two relays settling at once. Time moves by
 * updating the endpoint's streak columns, never by sleeping.
 */
@ExtendWith(PostgresExtension.class)
class AutoDisableIT {
  private final TestDatabase db;
  private Database database;
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger loopLog = (Logger) LoggerFactory.getLogger(DeliveryLoop.class);

  AutoDisableIT(TestDatabase db) {
    this.db = db;
  }

  @BeforeEach
  void migrate() {
    database = Relays.migrated(db);
    db.execute("TRUNCATE {schema}.delivery, {schema}.message, {schema}.attempt CASCADE");
    db.execute("UPDATE {schema}.endpoint SET failing_since = NULL, failed_attempts = 0, warned_at = NULL, "
        + "disabled_reason = NULL, paused = false");
    logs.start();
    loopLog.addAppender(logs);
  }

  @AfterEach
  void close() {
    loopLog.detachAppender(logs);
    database.close().block(WAIT);
  }

  /**
   * Quick retries and enough attempts that no delivery goes dead while a streak runs; at most 4
   * attempts per endpoint in flight per relay, so both relays take part.
   */
  private static EngineConfig config() {
    return Relays.fast()
        .endpointMaxInFlight(4)
        .retry(new RetryPolicy(Duration.ofMillis(50), 2.0, Duration.ofMillis(200), 0.0, 1000, Duration.ofSeconds(1)))
        .build();
  }

  /** Fails every attempt to {@code endpoint} while {@code failing}; delivers everything else. */
  private static RecordingDeliverer failing(String engine, List<RecordingDeliverer.Attempt> log, String endpoint,
      AtomicBoolean failing) {
    return new RecordingDeliverer(engine, log, d -> Mono.fromSupplier(() ->
        d.endpoint().equals(endpoint) && failing.get()
            ? Outcome.retry("HTTP 503 Service Unavailable", 503, null)
            : Outcome.delivered(200)));
  }

  /** Moves an endpoint's streak back in time: every attempt has failed since {@code ago}. */
  private void streak(String endpoint, String ago, int failedAttempts) {
    db.execute("UPDATE {schema}.endpoint SET failing_since = now() - ?::interval, failed_attempts = ? WHERE name = ?",
        ago, failedAttempts, endpoint);
  }

  /** Publishes {@code n} messages to {@code endpoint} in one transaction. */
  private void publish(String endpoint, int n, String prefix) {
    db.execute("SELECT {schema}.publish('t', '{}'::jsonb, event_id => ? || i, endpoint => ?) "
        + "FROM generate_series(1, ?) i", prefix, endpoint, n);
  }

  private long failedAttempts(String endpoint) {
    return db.count("SELECT failed_attempts FROM {schema}.endpoint WHERE name = ?", endpoint);
  }

  private Object column(String endpoint, String column) {
    return db.scalar("SELECT " + column + " FROM {schema}.endpoint WHERE name = ?", endpoint);
  }

  private long lines(String text) {
    return logs.list.stream().filter(e -> e.getFormattedMessage().contains(text)).count();
  }

  private long pending(String endpoint) {
    return db.count("SELECT count(*) FROM {schema}.delivery WHERE endpoint = ? AND state = 'pending'", endpoint);
  }

  @Test
  void halfTheWindowWarnsOnceAcrossRelays() {
    Relays.endpoints(database, new EndpointSpec("warn-a", List.of()));
    List<RecordingDeliverer.Attempt> log = new CopyOnWriteArrayList<>();
    AtomicBoolean failing = new AtomicBoolean(true);
    try (var one = Relays.start(database, config(), failing("one", log, "warn-a", failing));
         var two = Relays.start(database, config(), failing("two", log, "warn-a", failing))) {
      publish("warn-a", 40, "warn-");
      // Both relays are settling failures of the endpoint...
      await().atMost(WAIT).until(() -> log.stream().map(RecordingDeliverer.Attempt::engine).distinct().count() == 2);
      // ...when the streak turns out to be 3 of 5 days old with at least 9 failed attempts: the
      // next failed attempts of either relay (the 10th is half of 20) cross the line together.
      db.execute("UPDATE {schema}.endpoint SET failing_since = now() - interval '3 days', "
          + "failed_attempts = greatest(failed_attempts, 9) WHERE name = 'warn-a'");
      long crossedAt = failedAttempts("warn-a");
      await().atMost(WAIT).until(() -> failedAttempts("warn-a") >= crossedAt + 100);

      assertThat(column("warn-a", "warned_at")).isNotNull();
      assertThat(column("warn-a", "disabled_reason")).isNull();
      assertThat(lines("Endpoint warn-a is failing")).isEqualTo(1);
      assertThat(one.counter(EngineMetrics.ENDPOINTS_WARNED) + two.counter(EngineMetrics.ENDPOINTS_WARNED))
          .isEqualTo(1);
      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(one.gauge(EngineMetrics.ENDPOINTS_FAILING, "state", "warning")).isEqualTo(1);
        assertThat(two.gauge(EngineMetrics.ENDPOINTS_FAILING, "state", "warning")).isEqualTo(1);
      });

      EndpointStatus view = one.engine().endpoints().get("warn-a").block(WAIT);
      assertThat(view.state()).isEqualTo("active");
      assertThat(view.failing()).isNotNull();
      assertThat(view.failing().warning()).isTrue();
      assertThat(view.failing().failedAttempts()).isGreaterThanOrEqualTo(100);
      Instant since = ((Timestamp) column("warn-a", "failing_since")).toInstant();
      assertThat(view.failing().since()).isEqualTo(since);
      assertThat(view.failing().disableAfter()).isEqualTo(since.plus(Duration.ofDays(5)));
      // A delivered attempt ends the streak and its warning.
      failing.set(false);
      await().atMost(WAIT).until(() -> pending("warn-a") == 0);
    }
    assertThat(column("warn-a", "failing_since")).isNull();
  }

  @Test
  void concurrentFailuresAreEachCountedOnce() {
    Relays.endpoints(database, new EndpointSpec("count-e", List.of()));
    List<RecordingDeliverer.Attempt> log = new CopyOnWriteArrayList<>();
    AtomicBoolean failing = new AtomicBoolean(true);
    // Many attempts in flight and settles of one row each, so that settles of both relays overlap.
    EngineConfig busy = config().toBuilder().endpointMaxInFlight(32).settleBatchSize(1).build();
    try (var one = Relays.start(database, busy, failing("one", log, "count-e", failing));
         var two = Relays.start(database, busy, failing("two", log, "count-e", failing))) {
      publish("count-e", 64, "count-");
      await().atMost(WAIT).until(() -> failedAttempts("count-e") >= 400);
      // Stop claiming with a pause, let every lease settle, then compare with the attempt history.
      db.execute("UPDATE {schema}.endpoint SET paused = true WHERE name = 'count-e'");
      await().atMost(WAIT).until(() -> db.count(
          "SELECT count(*) FROM {schema}.delivery WHERE endpoint = 'count-e' AND lease_token IS NOT NULL") == 0);
      // Exactly the failed attempts on record: counted once each, like the attempt history (only
      // settles that landed; a late or retried settle counts nothing).
      assertThat(failedAttempts("count-e")).isEqualTo(db.count(
          "SELECT count(*) FROM {schema}.attempt WHERE endpoint = 'count-e' AND error IS NOT NULL"));
      assertThat(column("count-e", "warned_at")).isNull();
    }
  }

  @Test
  void pastTheWindowTheNextFailureDisablesAndKeepsDeliveriesUntilResumed() {
    Relays.endpoints(database, new EndpointSpec("gone-b", List.of()), new EndpointSpec("fine-b", List.of()));
    streak("gone-b", "5 days 1 minute", 19);
    List<RecordingDeliverer.Attempt> log = new CopyOnWriteArrayList<>();
    AtomicBoolean failing = new AtomicBoolean(true);
    try (var one = Relays.start(database, config(), failing("one", log, "gone-b", failing));
         var two = Relays.start(database, config(), failing("two", log, "gone-b", failing))) {
      publish("gone-b", 10, "gone-");
      await().atMost(WAIT).until(() -> column("gone-b", "disabled_reason") != null);
      String reason = (String) column("gone-b", "disabled_reason");
      assertThat(reason).startsWith("disabled automatically: every attempt failed for 5 days")
          .contains("last error: HTTP 503 Service Unavailable")
          .contains("its pending deliveries are kept: resume it to retry them");

      // In-flight attempts settle; after that nothing of gone-b is claimed again, though its rows
      // are due and both relays keep claiming (fine-b's delivery proves a later claim ran).
      await().atMost(WAIT).until(() -> db.count(
          "SELECT count(*) FROM {schema}.delivery WHERE endpoint = 'gone-b' AND lease_token IS NOT NULL") == 0);
      int attemptsThen = (int) log.stream().filter(a -> a.delivery().endpoint().equals("gone-b")).count();
      db.execute("UPDATE {schema}.delivery SET next_attempt_at = now() WHERE endpoint = 'gone-b'");
      publish("fine-b", 1, "fine-");
      await().atMost(WAIT).until(() -> db.count(
          "SELECT count(*) FROM {schema}.delivery WHERE endpoint = 'fine-b' AND state = 'delivered'") == 1);
      one.engine().wake();
      two.engine().wake();
      publish("fine-b", 1, "fine-again-");
      await().atMost(WAIT).until(() -> db.count(
          "SELECT count(*) FROM {schema}.delivery WHERE endpoint = 'fine-b' AND state = 'delivered'") == 2);
      assertThat(log.stream().filter(a -> a.delivery().endpoint().equals("gone-b")).count()).isEqualTo(attemptsThen);
      assertThat(pending("gone-b")).isEqualTo(10);

      assertThat(lines("Endpoint gone-b disabled automatically")).isEqualTo(1);
      assertThat(one.counter(EngineMetrics.ENDPOINTS_AUTO_DISABLED) + two.counter(EngineMetrics.ENDPOINTS_AUTO_DISABLED))
          .isEqualTo(1);
      await().atMost(WAIT).untilAsserted(() ->
          assertThat(one.gauge(EngineMetrics.ENDPOINTS_FAILING, "state", "disabled")).isEqualTo(1));
      EndpointStatus view = one.engine().endpoints().get("gone-b").block(WAIT);
      assertThat(view.state()).isEqualTo("disabled");
      assertThat(view.reason()).isEqualTo(reason);
      assertThat(view.backlog()).isEqualTo(10);

      // The receiver is fixed; an operator resumes the endpoint: the kept deliveries go out.
      failing.set(false);
      assertThat(one.engine().endpoints().resume("gone-b").block(WAIT)).isTrue();
      assertThat(column("gone-b", "failing_since")).isNull();
      assertThat(column("gone-b", "failed_attempts")).isEqualTo(0);
      assertThat(column("gone-b", "warned_at")).isNull();
      await().atMost(WAIT).until(() -> db.count(
          "SELECT count(*) FROM {schema}.delivery WHERE endpoint = 'gone-b' AND state = 'delivered'") == 10);
      assertThat(column("gone-b", "disabled_reason")).isNull();
      await().atMost(WAIT).untilAsserted(() ->
          assertThat(one.gauge(EngineMetrics.ENDPOINTS_FAILING, "state", "disabled")).isEqualTo(0));
    }
  }

  /**
   * Any path that re-enables an endpoint (a runtime endpoint's relay.update_endpoint(paused =>
   * false) clears disabled_reason directly) ends the streak, so the next failure does not disable
   * it again at once; other updates of a disabled endpoint keep it.
   */
  @Test
  void clearingTheDisableByAnyPathEndsTheStreak() {
    Relays.endpoints(database, new EndpointSpec("other-path-f", List.of()));
    db.execute("UPDATE {schema}.endpoint SET failing_since = now() - interval '6 days', failed_attempts = 40, "
        + "warned_at = now() - interval '3 days', disabled_reason = 'disabled automatically: test' "
        + "WHERE name = 'other-path-f'");
    db.execute("UPDATE {schema}.endpoint SET paused = true, disabled_reason = disabled_reason "
        + "WHERE name = 'other-path-f'");
    assertThat(failedAttempts("other-path-f")).isEqualTo(40);
    assertThat(column("other-path-f", "warned_at")).isNotNull();

    db.execute("UPDATE {schema}.endpoint SET paused = false, disabled_reason = NULL WHERE name = 'other-path-f'");
    assertThat(column("other-path-f", "failing_since")).isNull();
    assertThat(failedAttempts("other-path-f")).isZero();
    assertThat(column("other-path-f", "warned_at")).isNull();
  }

  @Test
  void fewerThanTheMinimumFailuresPastTheWindowDoNotDisable() {
    Relays.endpoints(database, new EndpointSpec("few-c", List.of()));
    streak("few-c", "6 days", 0);
    EngineConfig threeAttempts = Relays.fast()
        .retry(new RetryPolicy(Duration.ofMillis(50), 2.0, Duration.ofMillis(200), 0.0, 3, Duration.ofSeconds(1)))
        .build();
    List<RecordingDeliverer.Attempt> log = new CopyOnWriteArrayList<>();
    try (var one = Relays.start(database, threeAttempts, failing("one", log, "few-c", new AtomicBoolean(true)));
         var two = Relays.start(database, threeAttempts, failing("two", log, "few-c", new AtomicBoolean(true)))) {
      publish("few-c", 2, "few-");
      await().atMost(WAIT).until(() -> db.count(
          "SELECT count(*) FROM {schema}.delivery WHERE endpoint = 'few-c' AND state = 'dead'") == 2);
      // Six days of failures, but 6 failed attempts of the 20 required (and under the 10 that warn).
      assertThat(failedAttempts("few-c")).isEqualTo(6);
      assertThat(column("few-c", "disabled_reason")).isNull();
      assertThat(column("few-c", "warned_at")).isNull();
      assertThat(lines("Endpoint few-c")).isZero();
    }
  }

  @Test
  void aSuccessEndsTheStreakAndHealthyDeliveriesNeverWriteTheEndpointRow() {
    Relays.endpoints(database, new EndpointSpec("flaky-d", List.of()));
    db.execute("UPDATE {schema}.endpoint SET failing_since = now() - interval '4 days', failed_attempts = 30, "
        + "warned_at = now() - interval '1 day' WHERE name = 'flaky-d'");
    List<RecordingDeliverer.Attempt> log = new CopyOnWriteArrayList<>();
    try (var one = Relays.start(database, config(), failing("one", log, "none", new AtomicBoolean(false)));
         var two = Relays.start(database, config(), failing("two", log, "none", new AtomicBoolean(false)))) {
      publish("flaky-d", 1, "flaky-");
      await().atMost(WAIT).until(() -> pending("flaky-d") == 0);
      assertThat(column("flaky-d", "failing_since")).isNull();
      assertThat(column("flaky-d", "failed_attempts")).isEqualTo(0);
      assertThat(column("flaky-d", "warned_at")).isNull();
      assertThat(one.engine().endpoints().get("flaky-d").block(WAIT).failing()).isNull();

      // Healthy from now on: 200 deliveries over two relays leave the endpoint row as it was.
      List<Object> before = db.rows("SELECT xmin::text, updated_at FROM {schema}.endpoint WHERE name = 'flaky-d'")
          .get(0);
      publish("flaky-d", 200, "healthy-");
      await().atMost(WAIT).until(() -> db.count(
          "SELECT count(*) FROM {schema}.delivery WHERE endpoint = 'flaky-d' AND state = 'delivered'") == 201);
      assertThat(db.rows("SELECT xmin::text, updated_at FROM {schema}.endpoint WHERE name = 'flaky-d'").get(0))
          .isEqualTo(before);
    }
  }
}
