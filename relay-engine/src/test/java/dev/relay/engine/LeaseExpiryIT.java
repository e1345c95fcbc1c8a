package dev.relay.engine;

import static dev.relay.engine.Relays.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.relay.engine.db.Database;
import dev.relay.engine.endpoint.EndpointSpec;
import dev.relay.engine.metrics.EngineMetrics;
import dev.relay.engine.spi.Outcome;
import dev.relay.engine.testing.PostgresExtension;
import dev.relay.engine.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * A relay freezes while holding leases (its clock stops, like a long GC pause or a partition).
 * After the lease expires another relay delivers those rows; when the frozen relay wakes, its
 * settles are refused and counted.
 */
@ExtendWith(PostgresExtension.class)
class LeaseExpiryIT {
  private final TestDatabase db;

  LeaseExpiryIT(TestDatabase db) {
    this.db = db;
  }

  @Test
  void anotherRelayDeliversAfterLeaseExpiryAndTheStaleSettleChangesNothing() {
    Database databaseA = Relays.migrated(db);
    Database databaseB = Relays.migrated(db);
    Relays.endpoints(databaseA, new EndpointSpec("e", List.of()));
    Sinks.Empty<Void> thaw = Sinks.empty();
    var frozen = new RecordingDeliverer(d -> thaw.asMono().then(Mono.just(Outcome.delivered(200))));
    var config = Relays.fast().lease(Duration.ofSeconds(2)).attemptTimeout(Duration.ofSeconds(1)).build();
    var registryA = new SimpleMeterRegistry();
    // Frozen: its clock stands still (no attempt timeout fires) and its 20 slots stay full.
    RelayEngine a = RelayEngine.create(databaseA, config.toBuilder().maxInFlight(20).build(), Relays.declared(databaseA), frozen,
        registryA,
        VirtualTimeScheduler.create());
    a.start().block(WAIT);
    try {
      db.execute("SELECT {schema}.publish('t', jsonb_build_object('n', g), event_id => 'lease-' || g) FROM generate_series(1, 20) g");
      await().atMost(WAIT).until(() -> frozen.attempts().isEmpty()
          && db.count("SELECT count(*) FROM {schema}.delivery WHERE lease_token IS NOT NULL") == 20);
      assertThat(db.count("SELECT count(*) FROM {schema}.delivery WHERE attempts = 1")).isEqualTo(20);

      var healthy = RecordingDeliverer.succeeding();
      try (var b = Relays.start(databaseB, config, healthy)) {
        await().atMost(WAIT).until(() ->
            db.count("SELECT count(*) FROM {schema}.delivery WHERE state = 'delivered'") == 20);
        assertThat(healthy.attempts()).hasSize(20).allSatisfy(x -> assertThat(x.delivery().attempt()).isEqualTo(2));
        // B re-claimed only after A's lease ran out.
        assertThat(db.count("SELECT count(*) FROM {schema}.delivery WHERE last_attempt_at - created_at >= interval '2 seconds'"))
            .isEqualTo(20);

        var before = db.rows("SELECT id, state, attempts, last_status, settled_at FROM {schema}.delivery ORDER BY id");
        thaw.tryEmitEmpty();
        await().atMost(WAIT).until(() -> registryA.find(EngineMetrics.STALE_SETTLES).counter().count() == 20);
        assertThat(db.rows("SELECT id, state, attempts, last_status, settled_at FROM {schema}.delivery ORDER BY id"))
            .isEqualTo(before);
        assertThat(registryA.find(EngineMetrics.DELIVERED).counters()).isEmpty();
        // The history holds B's attempts only: A's stale settles recorded nothing.
        assertThat(db.rows("SELECT a.attempt, a.instance_id::text, a.status FROM {schema}.attempt a"
                + " JOIN {schema}.delivery d ON d.id = a.delivery_id JOIN {schema}.message m ON m.id = d.message_id"
                + " WHERE m.event_id LIKE 'lease-%' ORDER BY a.delivery_id"))
            .hasSize(20)
            .allSatisfy(r -> assertThat(r).containsExactly(2, b.engine().instance().toString(), 200));
      }
    } finally {
      a.stop(Duration.ofSeconds(1)).block(WAIT);
      databaseA.close().block(WAIT);
      databaseB.close().block(WAIT);
    }
  }
}
