package dev.relay.engine;

import static dev.relay.engine.Relays.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.relay.engine.db.Database;
import dev.relay.engine.endpoint.EndpointSpec;
import dev.relay.engine.metrics.EngineMetrics;
import dev.relay.engine.testing.PostgresExtension;
import dev.relay.engine.testing.TestDatabase;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Rows inserted around relay.publish (a raw INSERT, or a limit lowered later) cannot take the loop
 * down or fill the relay's memory: such a row is settled dead with its reason, unsent, and the rest
 * flow; no claim carries more than its byte budget whatever the rows hold.
 */
@ExtendWith(PostgresExtension.class)
class UndeliverableRowsIT {
  private final TestDatabase db;

  UndeliverableRowsIT(TestDatabase db) {
    this.db = db;
  }

  @Test
  void rowsInsertedAroundPublishEndDeadWithTheirReasonAndTheRestFlow() {
    Database database = Relays.migrated(db);
    Relays.endpoints(database, new EndpointSpec("e", List.of()));
    var deliverer = RecordingDeliverer.succeeding();
    var config = Relays.fast().maxPayloadBytes(64 * 1024).build();
    try (var relay = Relays.start(database, config, deliverer)) {
      db.execute("SELECT {schema}.publish('t', jsonb_build_object('n', g), event_id => 'ok-' || g) FROM generate_series(1, 50) g");
      // Around publish: a payload over the limit, an event type of 5,000 characters, and one
      // more ordinary row after them.
      insertRaw("big", "'t'", "jsonb_build_object('data', repeat('x', 100000))");
      insertRaw("long-type", "repeat('t', 5000)", "'{}'::jsonb");
      db.execute("SELECT {schema}.publish('t', '{}'::jsonb, event_id => 'after')");

      await().atMost(WAIT).until(() ->
          db.count("SELECT count(*) FROM {schema}.delivery WHERE state = 'pending'") == 0);
      assertThat(db.count("SELECT count(*) FROM {schema}.delivery WHERE state = 'delivered'")).isEqualTo(51);
      assertThat(db.rows("SELECT m.event_id, d.state, d.last_error FROM {schema}.delivery d "
          + "JOIN {schema}.message m ON m.id = d.message_id WHERE d.state = 'dead' ORDER BY m.event_id"))
          .hasSize(2)
          .anySatisfy(r -> assertThat(r.toString()).contains("big", "undeliverable: payload is",
              "over delivery.max-payload-bytes (65536)"))
          .anySatisfy(r -> assertThat(r.toString()).contains("long-type",
              "undeliverable: event_id, event_type, content_type or trace context over 1024 bytes"));
      assertThat(deliverer.attempts()).hasSize(51)
          .noneSatisfy(a -> assertThat(a.delivery().eventId()).isIn("big", "long-type"));
      // Counted once the settle's result is back, a moment after its rows are visible.
      await().atMost(WAIT).untilAsserted(() ->
          assertThat(relay.counter(EngineMetrics.DEAD, "endpoint", "e")).isEqualTo(2));
    } finally {
      database.close().block(WAIT);
    }
  }

  @Test
  void aClaimStopsAtItsByteBudget() {
    Database database = Relays.migrated(db);
    Relays.endpoints(database, new EndpointSpec("e", List.of()));
    var deliverer = RecordingDeliverer.succeeding();
    db.execute("UPDATE {schema}.setting SET value = '1048576' WHERE key = 'max_payload_bytes'");
    // 60 payloads of 200 KiB of incompressible text: 12 MiB, over one claim's 8 MiB.
    db.execute("SELECT {schema}.publish('t', jsonb_build_object('data', (SELECT string_agg(md5(random()::text || g || i), '') "
        + "FROM generate_series(1, 6400) i)), event_id => 'heavy-' || g) FROM generate_series(1, 60) g");
    long stored = db.count("SELECT sum(pg_column_size(payload)) FROM {schema}.message WHERE event_id LIKE 'heavy-%'");
    assertThat(stored).as("the payloads stay large when stored").isGreaterThan(10L << 20);

    var config = Relays.fast().claimBatchSize(100).maxInFlight(100).endpointMaxInFlight(100)
        .maxPayloadBytes(1 << 20).build();
    try (var relay = Relays.start(database, config, deliverer)) {
      await().atMost(WAIT).until(() ->
          db.count("SELECT count(*) FROM {schema}.delivery d JOIN {schema}.message m ON m.id = d.message_id "
              + "WHERE d.state = 'delivered' AND m.event_id LIKE 'heavy-%'") == 60);
      var batches = relay.registry().find(EngineMetrics.CLAIM_BATCH).summary();
      long perRow = stored / 60;
      assertThat(batches.max()).as("rows in the largest claim").isLessThanOrEqualTo((8L << 20) / perRow + 1);
    } finally {
      database.close().block(WAIT);
    }
  }

  /** Written around relay.publish: a message that sets unrouted itself is neither checked nor routed (V14). */
  private void insertRaw(String eventId, String eventType, String payload) {
    db.execute("WITH m AS (INSERT INTO {schema}.message (event_id, event_type, payload, unrouted) VALUES ('" + eventId + "', "
        + eventType + ", " + payload + ", false) RETURNING id) "
        + "INSERT INTO {schema}.delivery (message_id, endpoint) SELECT id, 'e' FROM m");
  }
}
