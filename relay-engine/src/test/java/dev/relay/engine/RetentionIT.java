package dev.relay.engine;

import static dev.relay.engine.Relays.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.engine.config.RetentionPolicy;
import dev.relay.engine.db.Database;
import dev.relay.engine.endpoint.EndpointSpec;
import dev.relay.engine.metrics.EngineMetrics;
import dev.relay.engine.retention.Purger;
import dev.relay.engine.testing.PostgresExtension;
import dev.relay.engine.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
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
}
