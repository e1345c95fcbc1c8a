package dev.relay.engine;

import static dev.relay.engine.Relays.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.relay.engine.config.RetentionPolicy;
import dev.relay.engine.db.Database;
import dev.relay.engine.endpoint.EndpointSpec;
import dev.relay.engine.history.AttemptRecord;
import dev.relay.engine.history.DeliveryHistory;
import dev.relay.engine.history.MessageHistory;
import dev.relay.engine.metrics.EngineMetrics;
import dev.relay.engine.retention.Purger;
import dev.relay.engine.spi.Exchange;
import dev.relay.engine.spi.Outcome;
import dev.relay.engine.testing.PostgresExtension;
import dev.relay.engine.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Mono;

/**
 * The attempt history: one row per attempt that counted, written by the settle, read by
 * operators, purged with its delivery.
 */
@ExtendWith(PostgresExtension.class)
class AttemptHistoryIT {
  private final TestDatabase db;
  private Database database;

  AttemptHistoryIT(TestDatabase db) {
    this.db = db;
  }

  @BeforeEach
  void migrate() {
    database = Relays.migrated(db);
    db.execute("TRUNCATE {schema}.delivery, {schema}.message, {schema}.attempt CASCADE");
    Relays.endpoints(database, new EndpointSpec("e", List.of()), new EndpointSpec("other", List.of("other.*")));
  }

  @AfterEach
  void close() {
    database.close().block(WAIT);
  }

  private long deliveryId(String eventId) {
    return ((Number) db.scalar("SELECT d.id FROM {schema}.delivery d JOIN {schema}.message m ON m.id = d.message_id "
        + "WHERE m.event_id = ? AND d.endpoint = 'e'", eventId)).longValue();
  }

  @Test
  void retriedThenDeliveredRecordsEveryAttemptInOrder() {
    // Over the cap, with a NUL (Postgres text cannot hold it) and a multi-byte character at the cut.
    String body = "\u0000oops " + "x".repeat(1017) + "é" + "y".repeat(2000);
    AtomicInteger calls = new AtomicInteger();
    Instant before = Instant.now();
    var deliverer = new RecordingDeliverer(d -> Mono.fromSupplier(() -> switch (calls.incrementAndGet()) {
      case 1 -> Outcome.retry("HTTP 503 Service Unavailable", 503, null)
          .with(new Exchange(Instant.now(), Duration.ofMillis(7), body));
      case 2 -> Outcome.retry("connection failed: refused");
      default -> Outcome.delivered(204).with(new Exchange(Instant.now(), Duration.ofMillis(3), ""));
    }));
    try (var relay = Relays.start(database, Relays.fast().build(), deliverer)) {
      db.execute("SELECT {schema}.publish('t', '{}'::jsonb, event_id => 'retried')");
      long id = deliveryId("retried");
      await().atMost(WAIT).until(() -> "delivered".equals(
          db.scalar("SELECT state FROM {schema}.delivery WHERE id = ?", id)));

      DeliveryHistory h = relay.engine().history().delivery(id, 100).block(WAIT);
      assertThat(h.delivery().attempts()).isEqualTo(3);
      List<AttemptRecord> a = h.attempts();
      assertThat(a).extracting(AttemptRecord::attempt).containsExactly(1, 2, 3);
      assertThat(a).extracting(AttemptRecord::status).containsExactly(503, null, 204);
      assertThat(a).extracting(AttemptRecord::error)
          .containsExactly("HTTP 503 Service Unavailable", "connection failed: refused", null);
      assertThat(a).allSatisfy(x -> {
        assertThat(x.deliveryId()).isEqualTo(id);
        assertThat(x.endpoint()).isEqualTo("e");
        assertThat(x.eventId()).isEqualTo("retried");
        assertThat(x.instanceId()).isEqualTo(relay.engine().instance());
        assertThat(x.instanceName()).isNotBlank();
        assertThat(x.startedAt()).isAfterOrEqualTo(before.minusSeconds(1)).isBefore(Instant.now().plusSeconds(1));
      });
      assertThat(a.get(0).durationMs()).isEqualTo(7);
      String excerpt = a.get(0).responseExcerpt();
      assertThat(excerpt).hasSize(Exchange.MAX_EXCERPT_CHARS).startsWith("\uFFFDoops xxx").endsWith("xé");
      // The loop timed the attempt the deliverer did not describe; nothing came back to excerpt.
      assertThat(a.get(1).responseExcerpt()).isNull();
      assertThat(a.get(1).durationMs()).isBetween(0L, 2000L);
      assertThat(a.get(2).responseExcerpt()).isEmpty();
    }
  }

  @Test
  void unsentAttemptsLeaveNoRecord() {
    AtomicInteger calls = new AtomicInteger();
    var deliverer = new RecordingDeliverer(d -> Mono.fromSupplier(() -> calls.incrementAndGet() == 1
        ? Outcome.deferred("not sent: circuit breaker open", Duration.ofMillis(50))
        : Outcome.delivered(200)));
    try (var relay = Relays.start(database, Relays.fast().build(), deliverer)) {
      db.execute("SELECT {schema}.publish('t', '{}'::jsonb, event_id => 'deferred')");
      long id = deliveryId("deferred");
      await().atMost(WAIT).until(() -> "delivered".equals(
          db.scalar("SELECT state FROM {schema}.delivery WHERE id = ?", id)));
      assertThat(calls.get()).isEqualTo(2);
      assertThat(db.rows("SELECT attempt, status, error FROM {schema}.attempt WHERE delivery_id = ?", id))
          .containsExactly(Arrays.asList(1, 200, null));
    }
  }

  @Test
  void aMessageShowsEveryDeliveryWithItsAttemptsAndAnEndpointItsFailures() {
    var deliverer = new RecordingDeliverer(d -> Mono.just(d.endpoint().equals("other")
        ? Outcome.terminal("HTTP 400 Bad Request: no", 400)
        : Outcome.delivered(200)));
    try (var relay = Relays.start(database, Relays.fast().build(), deliverer)) {
      db.execute("SELECT {schema}.publish('other.x', '{}'::jsonb, event_id => 'both-' || g) FROM generate_series(1, 3) g");
      await().atMost(WAIT).until(() ->
          db.count("SELECT count(*) FROM {schema}.delivery WHERE state <> 'pending'") == 6);

      MessageHistory m = relay.engine().history().message("both-2", 100).block(WAIT);
      assertThat(m.eventType()).isEqualTo("other.x");
      assertThat(m.truncated()).isFalse();
      assertThat(m.deliveries()).extracting(d -> d.delivery().endpoint()).containsExactly("e", "other");
      assertThat(m.deliveries()).allSatisfy(d -> assertThat(d.attempts()).hasSize(1)
          .allSatisfy(a -> assertThat(a.deliveryId()).isEqualTo(d.delivery().id())));
      assertThat(m.deliveries().get(1).attempts().get(0).status()).isEqualTo(400);
      assertThat(relay.engine().history().message("both-2", 1).block(WAIT).truncated()).isTrue();
      assertThat(relay.engine().history().message("no-such-event", 10).blockOptional(WAIT)).isEmpty();
      assertThat(relay.engine().history().delivery(Long.MAX_VALUE, 10).blockOptional(WAIT)).isEmpty();

      List<AttemptRecord> failures = relay.engine().history().failures("other", 2).block(WAIT);
      assertThat(failures).hasSize(2).allSatisfy(a -> assertThat(a.error()).startsWith("HTTP 400"));
      assertThat(failures).extracting(AttemptRecord::eventId).containsExactly("both-3", "both-2");
      assertThat(relay.engine().history().failures("e", 10).block(WAIT)).isEmpty();
    }
  }

  @Test
  void retentionRemovesAttemptsWithTheirDeliveriesAndNoOthers() {
    try (var relay = Relays.start(database, Relays.fast().build(), RecordingDeliverer.succeeding())) {
      db.execute("SELECT {schema}.publish('t', '{}'::jsonb, event_id => 'kept-' || g) FROM generate_series(1, 5) g");
      db.execute("SELECT {schema}.publish('t', '{}'::jsonb, event_id => 'purged-' || g) FROM generate_series(1, 25) g");
      await().atMost(WAIT).until(() -> db.count("SELECT count(*) FROM {schema}.attempt") == 30);
    }
    db.execute("UPDATE {schema}.delivery d SET settled_at = now() - interval '2 hours' FROM {schema}.message m "
        + "WHERE m.id = d.message_id AND m.event_id LIKE 'purged-%'");
    db.execute("UPDATE {schema}.message SET created_at = now() - interval '3 hours' WHERE event_id LIKE 'purged-%'");
    var registry = new SimpleMeterRegistry();
    var policy = new RetentionPolicy(Duration.ofHours(1), Duration.ofDays(1), Duration.ofMinutes(1), 10);
    long purged = new Purger(database, policy, new EngineMetrics(registry)).purgeOnce().block(WAIT);

    assertThat(purged).isEqualTo(25 + 25);
    assertThat(db.count("SELECT count(*) FROM {schema}.attempt")).isEqualTo(5);
    assertThat(db.count("SELECT count(*) FROM {schema}.attempt a WHERE NOT EXISTS "
        + "(SELECT 1 FROM {schema}.delivery d WHERE d.id = a.delivery_id)")).as("orphans").isZero();
    assertThat(registry.find(EngineMetrics.PURGED).tag("table", "attempt").counter().count()).isEqualTo(25);
  }

  @Test
  void aReplayedDeliveryKeepsItsEarlierAttempts() {
    Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    var deliverer = new RecordingDeliverer(d -> Mono.fromSupplier(() ->
        calls.computeIfAbsent(d.eventId(), k -> new AtomicInteger()).incrementAndGet() == 1
            ? Outcome.terminal("HTTP 404 Not Found", 404)
            : Outcome.delivered(200)));
    try (var relay = Relays.start(database, Relays.fast().build(), deliverer)) {
      db.execute("SELECT {schema}.publish('t', '{}'::jsonb, event_id => 'replayed')");
      long id = deliveryId("replayed");
      await().atMost(WAIT).until(() -> "dead".equals(db.scalar("SELECT state FROM {schema}.delivery WHERE id = ?", id)));
      relay.engine().deadLetters().replayIds(List.of(id)).block(WAIT);
      await().atMost(WAIT).until(() -> "delivered".equals(
          db.scalar("SELECT state FROM {schema}.delivery WHERE id = ?", id)));
      assertThat(relay.engine().history().delivery(id, 10).block(WAIT).attempts())
          .extracting(AttemptRecord::attempt, AttemptRecord::status)
          .containsExactly(tuple(1, 404), tuple(1, 200));
    }
  }

  @Test
  void historyReadsUseOnlyIndexesUnderAGenericPlan() throws Exception {
    db.execute("SELECT {schema}.publish('t', '{}'::jsonb, event_id => 'plan-' || g) FROM generate_series(1, 2000) g");
    // 100 attempts per delivery of endpoint e, one in 50 failed: 200,000 rows, 4,000 failures.
    db.execute("INSERT INTO {schema}.attempt (delivery_id, attempt, endpoint, instance_id, started_at, duration_ms, "
        + "status, error) SELECT d.id, a, d.endpoint, gen_random_uuid(), now(), 1, "
        + "CASE WHEN a % 50 = 0 THEN 503 ELSE 200 END, CASE WHEN a % 50 = 0 THEN 'HTTP 503' END "
        + "FROM {schema}.delivery d CROSS JOIN generate_series(1, 100) a WHERE d.endpoint = 'e'");
    db.execute("ANALYZE {schema}.attempt");
    try (Connection c = db.jdbc(); Statement s = c.createStatement()) {
      s.execute("SET plan_cache_mode = force_generic_plan");
      s.execute("PREPARE failures(text, int) AS " + database.sql().endpointFailures());
      s.execute("PREPARE attempts(bigint, int) AS " + database.sql().attemptsByDelivery());
      s.execute("PREPARE by_event(text, int) AS " + database.sql().attemptsByEventId());
      String failures = explain(s, "EXPLAIN EXECUTE failures('e', 100)");
      String attempts = explain(s, "EXPLAIN EXECUTE attempts(1, 100)");
      String byEvent = explain(s, "EXPLAIN EXECUTE by_event('plan-7', 100)");
      assertThat(failures).contains("attempt_failure_idx").doesNotContain("Seq Scan on attempt");
      assertThat(attempts).contains("attempt_pkey").doesNotContain("Seq Scan on attempt");
      assertThat(byEvent).contains("attempt_pkey").doesNotContain("Seq Scan on attempt");
    }
  }

  private static String explain(Statement s, String sql) throws Exception {
    StringBuilder plan = new StringBuilder();
    try (ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        plan.append(rs.getString(1)).append('\n');
      }
    }
    return plan.toString();
  }
}
