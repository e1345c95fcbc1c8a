package dev.relay.engine;

import static dev.relay.engine.Relays.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.engine.config.RetentionPolicy;
import dev.relay.engine.db.Database;
import dev.relay.engine.deadletter.DeadLetters;
import dev.relay.engine.endpoint.EndpointSpec;
import dev.relay.engine.metrics.EngineMetrics;
import dev.relay.engine.retention.Purger;
import dev.relay.engine.testing.PostgresExtension;
import dev.relay.engine.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class RetentionIT {
  private final TestDatabase db;

  RetentionIT(TestDatabase db) {
    this.db = db;
  }

  private void publish(String eventId, String type) {
    db.execute("SELECT {schema}.publish(?, '{}'::jsonb, event_id => ?)", type, eventId);
  }

  private void age(String eventId, String state, String settledAgo, String createdAgo) {
    db.execute("UPDATE {schema}.delivery d SET state = ?, settled_at = CASE WHEN ? = 'pending' THEN NULL "
        + "ELSE now() - ?::interval END, created_at = now() - ?::interval FROM {schema}.message m "
        + "WHERE m.id = d.message_id AND m.event_id = ?", state, state, settledAgo, createdAgo, eventId);
    db.execute("UPDATE {schema}.message SET created_at = now() - ?::interval WHERE event_id = ?", createdAgo, eventId);
  }

  @Test
  void purgesOnlyTerminalRowsPastTheirWindowInSmallBatches() {
    Database database = Relays.migrated(db);
    try {
      Relays.endpoints(database, new EndpointSpec("e", List.of("keep.*")));
      for (int i = 0; i < 25; i++) {
        publish("old-delivered-" + i, "keep.x");
        age("old-delivered-" + i, "delivered", "2 hours", "3 hours");
      }
      publish("recent-delivered", "keep.x");
      age("recent-delivered", "delivered", "10 minutes", "11 minutes");
      publish("old-discarded", "keep.x");
      age("old-discarded", "discarded", "2 hours", "3 hours");
      publish("dead-in-window", "keep.x");
      age("dead-in-window", "dead", "2 hours", "3 hours");
      publish("dead-past-window", "keep.x");
      age("dead-past-window", "dead", "3 days", "3 days");
      publish("ancient-pending", "keep.x");
      age("ancient-pending", "pending", "0", "400 days");
      publish("old-unrouted", "nobody.listens");
      db.execute("UPDATE {schema}.message SET created_at = now() - interval '3 hours' WHERE event_id = 'old-unrouted'");
      publish("recent-unrouted", "nobody.listens");

      var registry = new SimpleMeterRegistry();
      var policy = new RetentionPolicy(Duration.ofHours(1), Duration.ofDays(1), Duration.ofMinutes(1), 10);
      long purged = new Purger(database, policy, new EngineMetrics(registry)).purgeOnce().block(WAIT);

      // 25 + 1 + 1 deliveries, and their 27 messages plus the old unrouted one.
      assertThat(purged).isEqualTo(27 + 28);
      assertThat(db.rows("SELECT m.event_id FROM {schema}.message m ORDER BY 1").stream().map(r -> r.get(0)).toList())
          .containsExactly("ancient-pending", "dead-in-window", "recent-delivered", "recent-unrouted");
      assertThat(db.scalar("SELECT d.state FROM {schema}.delivery d JOIN {schema}.message m ON m.id = d.message_id "
          + "WHERE m.event_id = 'ancient-pending'")).isEqualTo("pending");
      assertThat(registry.find(EngineMetrics.PURGED).tag("table", "delivery").counter().count()).isEqualTo(27);
    } finally {
      database.close().block(WAIT);
    }
  }
  @Test
  void anEventIdIsIdempotentWhileItsMessageIsKeptAndNewOnceItIsPurged() {
    Database database = Relays.migrated(db);
    try {
      Relays.endpoints(database, new EndpointSpec("idem", List.of("idem.*")));
      long first = db.count("SELECT {schema}.publish('idem.x', '{\"n\": 1}'::jsonb, event_id => 'idem-1')");
      long again = db.count("SELECT {schema}.publish('idem.x', '{\"n\": 2}'::jsonb, event_id => 'idem-1')");
      assertThat(again).as("inside the window: the first message's id, nothing new").isEqualTo(first);
      assertThat(db.count("SELECT count(*) FROM {schema}.delivery WHERE message_id = ?", first)).isEqualTo(1);

      // Delivered, and kept while inside the retention window: still a no-op.
      age("idem-1", "delivered", "10 minutes", "11 minutes");
      var policy = new RetentionPolicy(Duration.ofHours(1), Duration.ofDays(1), Duration.ofMinutes(1), 10);
      var purger = new Purger(database, policy, new EngineMetrics(new SimpleMeterRegistry()));
      purger.purgeOnce().block(WAIT);
      assertThat(db.count("SELECT {schema}.publish('idem.x', '{}'::jsonb, event_id => 'idem-1')")).isEqualTo(first);

      // Past the window the message is purged, and the same event id is a new message.
      age("idem-1", "delivered", "2 hours", "3 hours");
      purger.purgeOnce().block(WAIT);
      long later = db.count("SELECT {schema}.publish('idem.x', '{\"n\": 3}'::jsonb, event_id => 'idem-1')");
      assertThat(later).isNotEqualTo(first);
      assertThat(db.scalar("SELECT d.state FROM {schema}.delivery d WHERE d.message_id = ?", later)).isEqualTo("pending");
      assertThat(db.scalar("SELECT m.payload->>'n' FROM {schema}.message m WHERE m.id = ?", later)).isEqualTo("3");
    } finally {
      // The class shares one schema, and a pending row bounds what retention may purge.
      db.execute("DELETE FROM {schema}.delivery d USING {schema}.message m WHERE m.id = d.message_id AND m.event_id = 'idem-1'");
      db.execute("DELETE FROM {schema}.message WHERE event_id = 'idem-1'");
      database.close().block(WAIT);
    }
  }

  /**
   * A delivery has no foreign key to its message (V12): a referenced message is still never
   * deleted, by hand or by a purge racing an endpoint replay that attaches a delivery to it, in
   * either order. A lost race would leave a pending delivery whose message is gone: never sent.
   */
  @Test
  void aMessageThatDeliveriesReferenceIsNeverDeletedEvenWhileAReplayRacesThePurge() throws Exception {
    Database database = Relays.migrated(db);
    try {
      Relays.endpoints(database, new EndpointSpec("keeper", List.of("keeper.*")));
      publish("kept-by-hand", "keeper.x");
      assertThat(db.execute("DELETE FROM {schema}.message WHERE event_id = 'kept-by-hand'")).isZero();

      // Unrouted and past the window: retention deletes them, unless a replay gives them a delivery.
      publish("race-replay-first", "late.x");
      db.execute("UPDATE {schema}.message SET created_at = now() - interval '3 hours' WHERE event_id LIKE 'race-%'");
      Relays.endpoints(database, new EndpointSpec("keeper", List.of("keeper.*")), new EndpointSpec("late", List.of("late.*")));
      var policy = new RetentionPolicy(Duration.ofHours(1), Duration.ofDays(1), Duration.ofMinutes(1), 100);
      var purger = new Purger(database, policy, new EngineMetrics(new SimpleMeterRegistry()));
      var replays = new DeadLetters(database, () -> { });
      String replay = database.sql().replayMessages().replace("$1", "?").replace("$2", "?");

      // The replay first: it holds its new delivery uncommitted while the purge runs.
      try (Connection c = db.jdbc()) {
        c.setAutoCommit(false);
        try (PreparedStatement ps = c.prepareStatement(replay)) {
          ps.setObject(1, OffsetDateTime.now().minusDays(1)); // $2 comes first in the text
          ps.setString(2, "late");
          assertThat(ps.executeUpdate()).isEqualTo(1);
        }
        CompletableFuture<Long> purge = purger.purgeOnce().toFuture();
        awaitLockWait();
        c.commit();
        purge.get(30, TimeUnit.SECONDS);
      }
      assertThat(db.scalar("SELECT d.state FROM {schema}.delivery d JOIN {schema}.message m ON m.id = d.message_id "
          + "WHERE m.event_id = 'race-replay-first'")).isEqualTo("pending");

      // The purge first: it holds its delete uncommitted while the replay runs.
      publish("race-purge-first", "latest.x");
      db.execute("UPDATE {schema}.message SET created_at = now() - interval '3 hours' WHERE event_id = 'race-purge-first'");
      Relays.endpoints(database, new EndpointSpec("keeper", List.of("keeper.*")), new EndpointSpec("late", List.of("late.*")),
          new EndpointSpec("latest", List.of("latest.*")));
      try (Connection c = db.jdbc()) {
        c.setAutoCommit(false);
        assertThat(c.createStatement().executeUpdate(db.resolve(
            "DELETE FROM {schema}.message WHERE event_id = 'race-purge-first'"))).isEqualTo(1);
        CompletableFuture<Long> replayed = replays.replayMessages("latest", Instant.now().minus(Duration.ofDays(1)))
            .toFuture();
        awaitLockWait();
        c.commit();
        replayed.get(30, TimeUnit.SECONDS);
      }
      assertThat(db.count("SELECT count(*) FROM {schema}.delivery d "
          + "WHERE NOT EXISTS (SELECT 1 FROM {schema}.message m WHERE m.id = d.message_id)"))
          .as("deliveries whose message is gone").isZero();
    } finally {
      db.execute("DELETE FROM {schema}.delivery d USING {schema}.message m WHERE m.id = d.message_id "
          + "AND (m.event_id LIKE 'race-%' OR m.event_id = 'kept-by-hand')");
      db.execute("DELETE FROM {schema}.message WHERE event_id LIKE 'race-%' OR event_id = 'kept-by-hand'");
      database.close().block(WAIT);
    }
  }

  /** Waits until some session of this database waits for a row lock. */
  private void awaitLockWait() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (db.count("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        + "AND wait_event_type = 'Lock'") == 0) {
      assertThat(System.nanoTime()).as("a session waiting for a lock").isLessThan(deadline);
      Thread.sleep(10);
    }
  }
}
