package dev.relay.engine;

import static dev.relay.engine.Relays.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.relay.engine.db.Database;
import dev.relay.engine.endpoint.EndpointSpec;
import dev.relay.engine.spi.Outcome;
import dev.relay.engine.testing.PostgresExtension;
import dev.relay.engine.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Mono;

@ExtendWith(PostgresExtension.class)
class GracefulStopIT {
  private final TestDatabase db;
  private Database database;

  GracefulStopIT(TestDatabase db) {
    this.db = db;
  }

  @BeforeEach
  void setUp() {
    database = Relays.migrated(db);
    db.execute("TRUNCATE {schema}.delivery, {schema}.message, {schema}.endpoint CASCADE");
    Relays.endpoints(database, new EndpointSpec("e", List.of()));
  }

  @AfterEach
  void tearDown() {
    database.close().block(WAIT);
  }

  @Test
  void stopFinishesInFlightDeliveriesWithinTheGracePeriodAndClaimsNothingMore() {
    var deliverer = new RecordingDeliverer(d -> Mono.delay(Duration.ofMillis(500)).thenReturn(Outcome.delivered(200)));
    RelayEngine engine = RelayEngine.create(database, Relays.fast().maxInFlight(10).build(), Relays.declared(database), deliverer,
        new SimpleMeterRegistry());
    engine.start().block(WAIT);
    db.execute("SELECT {schema}.publish('t', '{}'::jsonb) FROM generate_series(1, 50)");
    await().atMost(WAIT).until(() -> engine.inFlight() == 10);

    engine.stop(Duration.ofSeconds(10)).block(WAIT);

    assertThat(engine.inFlight()).isZero();
    long delivered = db.count("SELECT count(*) FROM {schema}.delivery WHERE state = 'delivered'");
    assertThat(delivered).isEqualTo(deliverer.attempts().size()).isGreaterThanOrEqualTo(10).isLessThan(50);
    assertThat(db.count("SELECT count(*) FROM {schema}.delivery WHERE state = 'pending' AND attempts = 0 "
        + "AND lease_token IS NULL")).isEqualTo(50 - delivered);
    assertThat(engine.health().running()).isFalse();
  }

  @Test
  void stopPastTheGracePeriodReleasesUnfinishedLeasesForOthersAtOnce() {
    var deliverer = new RecordingDeliverer(d -> Mono.never());
    RelayEngine engine = RelayEngine.create(database, Relays.fast().maxInFlight(10).build(), Relays.declared(database), deliverer,
        new SimpleMeterRegistry());
    engine.start().block(WAIT);
    db.execute("SELECT {schema}.publish('t', '{}'::jsonb) FROM generate_series(1, 5)");
    await().atMost(WAIT).until(() -> engine.inFlight() == 5);

    engine.stop(Duration.ofMillis(200)).block(WAIT);

    assertThat(db.count("SELECT count(*) FROM {schema}.delivery WHERE state = 'pending' AND lease_token IS NULL "
        + "AND attempts = 0 AND next_attempt_at <= now()")).isEqualTo(5);
  }
}
