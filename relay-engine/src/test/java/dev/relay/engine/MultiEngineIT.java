package dev.relay.engine;

import static dev.relay.engine.Relays.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.relay.engine.db.Database;
import dev.relay.engine.endpoint.EndpointSpec;
import dev.relay.engine.spi.Outcome;
import dev.relay.engine.testing.PostgresExtension;
import dev.relay.engine.testing.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Mono;

/**
 * Several relays, each with its own connection pool, drain one outbox while the application keeps
 * publishing. Every delivery is attempted exactly once (nothing crashed), and never by two
 * engines at the same time.
 */
@ExtendWith(PostgresExtension.class)
class MultiEngineIT {
  private static final int DELIVERIES = 5000;
  private final TestDatabase db;

  MultiEngineIT(TestDatabase db) {
    this.db = db;
  }

  @BeforeEach
  void clean() {
    Database d = Relays.migrated(db);
    db.execute("TRUNCATE {schema}.delivery, {schema}.message, {schema}.endpoint, {schema}.attempt CASCADE");
    Relays.endpoints(d, new EndpointSpec("a", List.of()), new EndpointSpec("b", List.of()),
        new EndpointSpec("c", List.of("order.*")));
    d.close().block(WAIT);
  }

  @ParameterizedTest(name = "{0} engines")
  @ValueSource(ints = {2, 3})
  void enginesShareTheWorkWithoutDuplicatesOrOverlap(int engines) {
    List<RecordingDeliverer.Attempt> log = new CopyOnWriteArrayList<>();
    List<Database> databases = new ArrayList<>();
    List<Relays.Engine> relays = new ArrayList<>();
    try {
      for (int i = 0; i < engines; i++) {
        Database database = Relays.migrated(db);
        databases.add(database);
        var deliverer = new RecordingDeliverer("engine-" + i, log, d ->
            Mono.delay(Duration.ofMillis(ThreadLocalRandom.current().nextInt(3))).thenReturn(Outcome.delivered(200)));
        relays.add(Relays.start(database, Relays.fast().maxInFlight(64).claimBatchSize(50).build(), deliverer));
      }
      // 1,000 "order.created" go to a, b, c and 1,000 "user.created" to a, b: 5,000 deliveries.
      publishInChunks();
      await().atMost(Duration.ofMinutes(2)).until(() ->
          db.count("SELECT count(*) FROM {schema}.delivery WHERE state = 'delivered'") == DELIVERIES);
    } finally {
      relays.forEach(Relays.Engine::close);
      databases.forEach(d -> d.close().block(WAIT));
    }

    assertThat(db.count("SELECT count(*) FROM {schema}.delivery")).isEqualTo(DELIVERIES);
    assertThat(db.count("SELECT count(*) FROM {schema}.delivery WHERE attempts <> 1")).isZero();

    Map<Long, List<RecordingDeliverer.Attempt>> byDelivery =
        log.stream().collect(Collectors.groupingBy(a -> a.delivery().id()));
    assertThat(byDelivery).hasSize(DELIVERIES);
    assertThat(byDelivery.values()).allSatisfy(attempts -> assertThat(attempts).hasSize(1));
    assertNoOverlap(byDelivery);

    Map<String, Long> perEngine = log.stream().collect(Collectors.groupingBy(RecordingDeliverer.Attempt::engine, Collectors.counting()));
    assertThat(perEngine).as("every engine took part").hasSize(engines);
    assertEachAttemptNamesTheRelayThatMadeIt(log, relays);
  }

  /** The attempt history holds one row per delivery, naming the instance whose deliverer made it. */
  private void assertEachAttemptNamesTheRelayThatMadeIt(List<RecordingDeliverer.Attempt> log,
      List<Relays.Engine> relays) {
    Map<Long, String> recorded = db.rows("SELECT delivery_id, instance_id::text FROM {schema}.attempt WHERE attempt = 1")
        .stream().collect(Collectors.toMap(r -> ((Number) r.get(0)).longValue(), r -> (String) r.get(1)));
    assertThat(db.count("SELECT count(*) FROM {schema}.attempt")).isEqualTo(DELIVERIES);
    assertThat(recorded).hasSize(DELIVERIES);
    for (RecordingDeliverer.Attempt a : log) {
      int engine = Integer.parseInt(a.engine().substring("engine-".length()));
      assertThat(recorded.get(a.delivery().id()))
          .as("instance recorded for delivery %d", a.delivery().id())
          .isEqualTo(relays.get(engine).engine().instance().toString());
    }
  }

  /** 20 statements of 100 publishes, alternating event types. */
  private void publishInChunks() {
    for (int chunk = 0; chunk < 20; chunk++) {
      db.execute("SELECT {schema}.publish(CASE WHEN g % 2 = 0 THEN 'order.created' ELSE 'user.created' END, "
          + "jsonb_build_object('n', g), event_id => 'm-' || ? || '-' || g) FROM generate_series(1, 100) g", chunk);
    }
  }

  private static void assertNoOverlap(Map<Long, List<RecordingDeliverer.Attempt>> byDelivery) {
    for (List<RecordingDeliverer.Attempt> attempts : byDelivery.values()) {
      List<RecordingDeliverer.Attempt> sorted = attempts.stream()
          .sorted(Comparator.comparingLong(RecordingDeliverer.Attempt::startNanos)).toList();
      for (int i = 1; i < sorted.size(); i++) {
        assertThat(sorted.get(i).startNanos()).isGreaterThanOrEqualTo(sorted.get(i - 1).endNanos());
      }
    }
  }
}
