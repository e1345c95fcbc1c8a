package dev.relay.engine;

import static dev.relay.engine.Relays.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.relay.engine.config.EngineConfig;
import dev.relay.engine.config.RetryPolicy;
import dev.relay.engine.db.Database;
import dev.relay.engine.endpoint.EndpointSpec;
import dev.relay.engine.spi.Deliverer;
import dev.relay.engine.spi.Delivery;
import dev.relay.engine.spi.Outcome;
import dev.relay.engine.testing.PostgresExtension;
import dev.relay.engine.testing.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Mono;

/**
 * The loop keeps claiming by itself: a freed slot, a landed settle or a due retry asks for the
 * next claim. Every test here polls every 10 minutes, so a backlog can only drain if that holds
 * (no timing assertions: a stall would simply never finish).
 */
@ExtendWith(PostgresExtension.class)
class ClaimSchedulingIT {
  private static final Duration NO_POLL = Duration.ofMinutes(10);
  private static final Duration DRAIN = Duration.ofMinutes(3);
  private final TestDatabase db;
  private Database database;

  ClaimSchedulingIT(TestDatabase db) {
    this.db = db;
  }

  @BeforeEach
  void setUp() {
    database = Relays.migrated(db);
    db.execute("TRUNCATE {schema}.delivery, {schema}.message, {schema}.endpoint CASCADE");
  }

  @AfterEach
  void tearDown() {
    database.close().block(WAIT);
  }

  private static EngineConfig.Builder noPolling() {
    return Relays.fast().pollInterval(NO_POLL).pollIntervalWithoutNotify(NO_POLL);
  }

  private void publish(String endpoint, int n) {
    db.execute("SELECT {schema}.publish('t', jsonb_build_object('n', g), endpoint => ?) FROM generate_series(1, ?) g",
        endpoint, n);
  }

  private long delivered(String endpoint) {
    return db.count("SELECT count(*) FROM {schema}.delivery WHERE endpoint = ? AND state = 'delivered'", endpoint);
  }

  private static Mono<Outcome> quick(Delivery d) {
    return Mono.delay(Duration.ofMillis(ThreadLocalRandom.current().nextInt(3))).thenReturn(Outcome.delivered(200));
  }

  @Test
  void oneEndpointWithFourSlotsDrainsABacklogOf5000WithoutPolling() {
    Relays.endpoints(database, new EndpointSpec("e", List.of()));
    publish("e", 5000);
    var deliverer = new RecordingDeliverer(ClaimSchedulingIT::quick);
    try (var relay = Relays.start(database, noPolling().endpointMaxInFlight(4).build(), deliverer)) {
      await().atMost(DRAIN).until(() -> delivered("e") == 5000);
      assertThat(deliverer.attempts()).hasSize(5000);
      assertThat(deliverer.maxConcurrent("e")).isLessThanOrEqualTo(4);
      assertThat(db.count("SELECT count(*) FROM {schema}.delivery WHERE attempts <> 1")).isZero();
    }
  }

  @Test
  void endpointsWithUnequalCapsAllDrainWithoutPollingAndKeepTheirCaps() {
    Relays.endpoints(database, new EndpointSpec("one", List.of()), new EndpointSpec("three", List.of()),
        new EndpointSpec("many", List.of()));
    publish("one", 500);
    publish("three", 1000);
    publish("many", 2000);
    var deliverer = new RecordingDeliverer(ClaimSchedulingIT::quick);
    var config = noPolling().endpointMaxInFlight(16).endpointLimits(Map.of("one", 1, "three", 3)).build();
    try (var relay = Relays.start(database, config, deliverer)) {
      await().atMost(DRAIN).until(() -> delivered("one") == 500 && delivered("three") == 1000 && delivered("many") == 2000);
      assertThat(deliverer.maxConcurrent("one")).isEqualTo(1);
      assertThat(deliverer.maxConcurrent("three")).isLessThanOrEqualTo(3);
      assertThat(deliverer.maxConcurrent("many")).isLessThanOrEqualTo(16);
    }
  }

  @Test
  void aDelivererThatAnswersOnTheClaimingThreadLosesNoWakeup() {
    Relays.endpoints(database, new EndpointSpec("e", List.of()));
    publish("e", 3000);
    var deliverer = new RecordingDeliverer(d -> Mono.just(Outcome.delivered(204)));
    try (var relay = Relays.start(database, noPolling().endpointMaxInFlight(4).maxInFlight(8).claimBatchSize(3).build(),
        deliverer)) {
      await().atMost(DRAIN).until(() -> delivered("e") == 3000);
    }
  }

  @Test
  void anEndpointBehindAnOpenBreakerIsNotClaimedAndItsHealthyNeighbourDrains() {
    Relays.endpoints(database, new EndpointSpec("healthy", List.of()), new EndpointSpec("broken", List.of()));
    publish("healthy", 2000);
    publish("broken", 200);
    AtomicBoolean open = new AtomicBoolean(true);
    var recording = new RecordingDeliverer(ClaimSchedulingIT::quick);
    Deliverer deliverer = new Deliverer() {
      @Override
      public Mono<Outcome> deliver(Delivery delivery) {
        return recording.deliver(delivery);
      }

      @Override
      public Set<String> unavailableEndpoints() {
        return open.get() ? Set.of("broken") : Set.of();
      }
    };
    try (var relay = Relays.start(database, noPolling().endpointMaxInFlight(4).build(), deliverer)) {
      await().atMost(DRAIN).until(() -> delivered("healthy") == 2000);
      assertThat(recording.attempts()).extracting(a -> a.delivery().endpoint()).containsOnly("healthy");
      open.set(false);
      relay.engine().wake();
      await().atMost(DRAIN).until(() -> delivered("broken") == 200);
    }
  }

  @Test
  void deferredRowsComeBackByTheirTimersBesideAHealthyEndpoint() {
    Relays.endpoints(database, new EndpointSpec("healthy", List.of()), new EndpointSpec("limited", List.of()));
    publish("healthy", 1000);
    publish("limited", 100);
    Map<String, Integer> deferrals = new ConcurrentHashMap<>();
    var deliverer = new RecordingDeliverer(d -> {
      if (d.endpoint().equals("limited") && deferrals.merge(d.eventId(), 1, Integer::sum) <= 2) {
        return Mono.just(Outcome.deferred("not sent: rate limited", Duration.ofMillis(50 + d.id() % 200)));
      }
      return quick(d);
    });
    try (var relay = Relays.start(database, noPolling().endpointMaxInFlight(4).build(), deliverer)) {
      await().atMost(DRAIN).until(() -> delivered("healthy") == 1000 && delivered("limited") == 100);
      assertThat(db.count("SELECT count(*) FROM {schema}.delivery WHERE attempts <> 1")).isZero();
    }
  }

  @Test
  void everyScheduledRetryGetsAWakeupAtItsDueTime() {
    Relays.endpoints(database, new EndpointSpec("e", List.of()));
    publish("e", 300);
    Set<String> failedOnce = ConcurrentHashMap.newKeySet();
    var deliverer = new RecordingDeliverer(d -> Mono.just(failedOnce.add(d.eventId())
        ? Outcome.retry("HTTP 500", 500, null) : Outcome.delivered(200)));
    // Jittered backoff: 300 retries due at ~300 different times, all well inside the poll interval.
    var retries = new RetryPolicy(Duration.ofMillis(200), 2.0, Duration.ofSeconds(2), 0.9, 5, Duration.ofSeconds(5));
    try (var relay = Relays.start(database, noPolling().retry(retries).build(), deliverer)) {
      await().atMost(DRAIN).until(() -> delivered("e") == 300);
      assertThat(deliverer.attempts()).hasSize(600);
    }
  }

  @Test
  void aRetryAfterHoldsTheEndpointForEveryRelayUntilItPasses() {
    Relays.endpoints(database, new EndpointSpec("e", List.of()));
    publish("e", 400);
    List<RecordingDeliverer.Attempt> log = new CopyOnWriteArrayList<>();
    AtomicLong heldAt = new AtomicLong();
    AtomicBoolean said = new AtomicBoolean();
    java.util.function.Function<Delivery, Mono<Outcome>> receiver = d ->
        Mono.delay(Duration.ofMillis(20)).map(x -> {
          if (d.id() % 400 == 100 && said.compareAndSet(false, true)) {
            heldAt.set(System.nanoTime());
            return Outcome.retry("HTTP 429", 429, Duration.ofSeconds(3));
          }
          return Outcome.delivered(200);
        });
    var a = new RecordingDeliverer("a", log, receiver);
    var b = new RecordingDeliverer("b", log, receiver);
    var retries = new RetryPolicy(Duration.ofMillis(100), 2.0, Duration.ofMillis(400), 0.0, 5, Duration.ofSeconds(10));
    var config = noPolling().endpointMaxInFlight(4).retry(retries).build();
    Database second = Relays.migrated(db);
    try (var relayA = Relays.start(database, config, a); var relayB = Relays.start(second, config, b)) {
      await().atMost(DRAIN).until(() -> delivered("e") == 400);
      long start = heldAt.get() + Duration.ofMillis(500).toNanos();
      long end = heldAt.get() + Duration.ofMillis(2500).toNanos();
      assertThat(log).filteredOn(x -> x.startNanos() > start && x.startNanos() < end)
          .as("attempts started by either relay while the receiver's Retry-After held").isEmpty();
      assertThat(log.stream().map(RecordingDeliverer.Attempt::engine).distinct()).containsExactlyInAnyOrder("a", "b");
    } finally {
      second.close().block(WAIT);
    }
  }
}
