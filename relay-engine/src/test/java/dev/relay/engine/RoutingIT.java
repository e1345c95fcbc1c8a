package dev.relay.engine;

import static dev.relay.engine.Relays.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.relay.engine.db.Database;
import dev.relay.engine.endpoint.EndpointSpec;
import dev.relay.engine.registry.Registry;
import dev.relay.engine.spi.Outcome;
import dev.relay.engine.testing.PostgresExtension;
import dev.relay.engine.testing.TestDatabase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Mono;

/**
 * Relays with different configurations (a rolling deploy) share one outbox: each claims only the
 * endpoints it serves, routing is the union of what the running relays serve, and a relay that
 * starts does not undo another's endpoints.
 */
@ExtendWith(PostgresExtension.class)
class RoutingIT {
  private final TestDatabase db;
  private Database first;
  private Database second;

  RoutingIT(TestDatabase db) {
    this.db = db;
  }

  @BeforeEach
  void setUp() {
    first = Relays.migrated(db);
    second = Relays.migrated(db);
    db.execute("TRUNCATE {schema}.delivery, {schema}.message, {schema}.endpoint, {schema}.instance CASCADE");
  }

  @AfterEach
  void tearDown() {
    first.close().block(WAIT);
    second.close().block(WAIT);
  }

  private String state(String endpoint) {
    return (String) db.scalar("SELECT CASE WHEN removed THEN 'removed' ELSE 'active' END FROM {schema}.endpoint "
        + "WHERE name = ?", endpoint);
  }

  private List<String> eventTypes(String endpoint) {
    return List.of(((String) db.scalar("SELECT array_to_string(event_types, ',') FROM {schema}.endpoint WHERE name = ?",
        endpoint)).split(","));
  }

  @ParameterizedTest(name = "relay with the new endpoint starts {0}")
  @ValueSource(strings = {"first", "second"})
  void aRelayWithoutAnEndpointNeverClaimsItsRowsAndNothingIsDeadLettered(String order) throws Exception {
    List<RecordingDeliverer.Attempt> log = new CopyOnWriteArrayList<>();
    var old = new RecordingDeliverer("old", log, d -> Mono.just(Outcome.delivered(200)));
    var neu = new RecordingDeliverer("new", log, d -> Mono.just(Outcome.delivered(200)));
    List<EndpointSpec> oldConfig = List.of(new EndpointSpec("a", List.of()));
    List<EndpointSpec> newConfig = List.of(new EndpointSpec("a", List.of()), new EndpointSpec("b", List.of()));
    var fast = Relays.fast().build();
    Relays.Engine started = order.equals("first") ? Relays.start(first, fast, neu, newConfig)
        : Relays.start(first, fast, old, oldConfig);
    try (started; var other = order.equals("first") ? Relays.start(second, fast, old, oldConfig)
        : Relays.start(second, fast, neu, newConfig)) {
      assertThat(state("b")).as("a starting relay without b does not remove it while another serves it")
          .isEqualTo("active");
      db.execute("SELECT {schema}.publish('t', jsonb_build_object('n', g)) FROM generate_series(1, 100) g");
      await().atMost(WAIT).until(() -> db.count("SELECT count(*) FROM {schema}.delivery WHERE state = 'delivered'") == 200);
      assertThat(db.count("SELECT count(*) FROM {schema}.delivery WHERE state = 'dead'")).isZero();
      assertThat(log).filteredOn(x -> x.engine().equals("old")).extracting(x -> x.delivery().endpoint())
          .as("the relay without b attempted only a's rows (if any: the other may have taken them all)")
          .isSubsetOf("a");
      assertThat(log).filteredOn(x -> x.delivery().endpoint().equals("b")).extracting(RecordingDeliverer.Attempt::engine)
          .containsOnly("new");
      assertThat(log).hasSize(200);
      assertThat(state("b")).isEqualTo("active");
    }
  }

  @Test
  void routingIsTheUnionOfTheRunningRelaysAndARestartDoesNotFlipIt() {
    var x = new EndpointSpec("a", List.of("x.*"));
    var xy = new EndpointSpec("a", List.of("x.*", "y.*"));
    var fast = Relays.fast().build();
    try (var withY = Relays.start(first, fast, RecordingDeliverer.succeeding(), List.of(xy))) {
      Relays.Engine withoutY = Relays.start(second, fast, RecordingDeliverer.succeeding(), List.of(x));
      assertThat(eventTypes("a")).containsExactly("x.*", "y.*");
      withoutY.close();
      withoutY = Relays.start(second, fast, RecordingDeliverer.succeeding(), List.of(x));
      assertThat(eventTypes("a")).as("restarting the older relay does not narrow it").containsExactly("x.*", "y.*");
      db.execute("SELECT {schema}.publish('y.created', '{}'::jsonb, event_id => 'y-1')");
      await().atMost(WAIT).until(() -> db.count("SELECT count(*) FROM {schema}.delivery WHERE state = 'delivered'") == 1);
      withoutY.close();
    }
    assertThat(eventTypes("a")).as("no relay runs: routing stays as it was").containsExactly("x.*", "y.*");
    try (var onlyX = Relays.start(first, fast, RecordingDeliverer.succeeding(), List.of(x))) {
      assertThat(eventTypes("a")).as("the only running relay takes x only").containsExactly("x.*");
    }
  }

  @Test
  void aCrashedRelaysRegistrationLapsesAndARunningRelayReconcilesWithoutIt() {
    Registry crashed = new Registry(first, List.of(new EndpointSpec("a", List.of()), new EndpointSpec("b", List.of())),
        "crashed");
    crashed.register().block(WAIT);
    Registry running = new Registry(second, List.of(new EndpointSpec("a", List.of())), "running");
    running.register().block(WAIT);
    assertThat(state("b")).isEqualTo("active");

    db.execute("UPDATE {schema}.instance SET heartbeat_at = now() - interval '6 minutes' WHERE id = ?", crashed.instance());
    running.heartbeat().block(WAIT);
    assertThat(state("b")).isEqualTo("removed");
    assertThat(db.count("SELECT count(*) FROM {schema}.instance")).isEqualTo(1);

    // The "crashed" one was only cut off: its next heartbeat registers it again.
    crashed.heartbeat().block(WAIT);
    assertThat(state("b")).isEqualTo("active");
    running.deregister().block(WAIT);
    crashed.deregister().block(WAIT);
    assertThat(db.count("SELECT count(*) FROM {schema}.instance_endpoint")).isZero();
  }
}
