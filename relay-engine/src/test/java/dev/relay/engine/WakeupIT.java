package dev.relay.engine;

import static dev.relay.engine.Relays.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.relay.engine.db.Database;
import dev.relay.engine.endpoint.EndpointSpec;
import dev.relay.engine.metrics.EngineMetrics;
import dev.relay.engine.testing.PostgresExtension;
import dev.relay.engine.testing.TestDatabase;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * With a 30 s poll, only NOTIFY can explain prompt delivery. The LISTEN connection is then
 * killed server-side; the relay reconnects and catches up without a restart.
 */
@ExtendWith(PostgresExtension.class)
class WakeupIT {
  /** Far below the 30 s poll, generous for a loaded CI machine. */
  private static final Duration PROMPT = Duration.ofSeconds(5);
  private final TestDatabase db;

  WakeupIT(TestDatabase db) {
    this.db = db;
  }

  private String state(String eventId) {
    return (String) db.scalar("SELECT d.state FROM {schema}.delivery d JOIN {schema}.message m ON m.id = d.message_id "
        + "WHERE m.event_id = ?", eventId);
  }

  @Test
  void notifyWakesTheRelayAndAKilledListenerReconnectsAndCatchesUp() {
    Database database = Relays.migrated(db);
    Relays.endpoints(database, new EndpointSpec("e", List.of()));
    var config = Relays.fast()
        .pollInterval(Duration.ofSeconds(30))
        .pollIntervalWithoutNotify(Duration.ofSeconds(30))
        .build();
    var deliverer = RecordingDeliverer.succeeding();
    try (var relay = Relays.start(database, config, deliverer)) {
      await().atMost(WAIT).until(() -> relay.engine().health().mode().equals("listen"));
      assertThat(relay.gauge(EngineMetrics.LISTENER_CONNECTED)).isEqualTo(1.0);

      long start = System.nanoTime();
      db.execute("SELECT {schema}.publish('t', '{}'::jsonb, event_id => 'wake-1')");
      await().atMost(PROMPT).until(() -> "delivered".equals(state("wake-1")));
      System.out.printf("NOTIFY wakeup: published to delivered in %d ms%n", (System.nanoTime() - start) / 1_000_000);

      long killed = db.count("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
          + "WHERE query LIKE 'LISTEN%' AND query LIKE '%" + db.schema() + "_wakeup%'");
      assertThat(killed).isEqualTo(1);
      // Published while the listener is down or reconnecting: the catch-up claim finds it.
      db.execute("SELECT {schema}.publish('t', '{}'::jsonb, event_id => 'wake-2')");
      await().atMost(PROMPT).until(() -> "delivered".equals(state("wake-2")));
      // The listener says it is connected just before it counts the reconnect.
      await().atMost(WAIT).until(() -> relay.engine().health().listenerConnected()
          && relay.counter(EngineMetrics.LISTENER_RECONNECTS) >= 1.0);
      assertThat(relay.counter(EngineMetrics.LISTENER_RECONNECTS)).isEqualTo(1.0);
      assertThat(relay.engine().health().mode()).isEqualTo("listen");

      db.execute("SELECT {schema}.publish('t', '{}'::jsonb, event_id => 'wake-3')");
      await().atMost(PROMPT).until(() -> "delivered".equals(state("wake-3")));
      assertThat(deliverer.attempts()).hasSize(3);
    } finally {
      database.close().block(WAIT);
    }
  }
}
