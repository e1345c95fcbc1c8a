package dev.relay.engine;

import static dev.relay.engine.Relays.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.relay.engine.config.RetryPolicy;
import dev.relay.engine.db.Database;
import dev.relay.engine.deadletter.DeadLetterQuery;
import dev.relay.engine.delivery.DeliveryRecord;
import dev.relay.engine.endpoint.EndpointSpec;
import dev.relay.engine.endpoint.EndpointStatus;
import dev.relay.engine.metrics.EngineMetrics;
import dev.relay.engine.publish.PublishRequest;
import dev.relay.engine.spi.Outcome;
import dev.relay.engine.testing.PostgresExtension;
import dev.relay.engine.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Mono;

@ExtendWith(PostgresExtension.class)
class DeliveryIT {
  private final TestDatabase db;
  private Database database;

  DeliveryIT(TestDatabase db) {
    this.db = db;
  }

  @BeforeEach
  void setUp() {
    database = Relays.migrated(db);
    db.execute("TRUNCATE {schema}.delivery, {schema}.message, {schema}.endpoint CASCADE");
    Relays.endpoints(database, new EndpointSpec("orders", List.of("order.*")), new EndpointSpec("billing", List.of()));
  }

  @AfterEach
  void tearDown() {
    database.close().block(WAIT);
  }

  private long publish(String type, String eventId) {
    return database.queries()
        .one("SELECT " + db.schema() + ".publish($1, '{\"n\": 1}'::jsonb, NULL, $2)", r -> r.get(0, Long.class), type, eventId)
        .block(WAIT);
  }

  private DeliveryRecord delivery(String eventId, String endpoint) {
    return new RelayEngineAccess(database).deliveries().findByEventId(eventId)
        .filter(d -> d.endpoint().equals(endpoint)).blockFirst(WAIT);
  }

  @Test
  void publishedMessageIsDeliveredOnceToEverySubscribedEndpoint() {
    RecordingDeliverer deliverer = RecordingDeliverer.succeeding();
    try (var relay = Relays.start(database, Relays.fast().build(), deliverer)) {
      publish("order.created", "evt-once");
      await().atMost(WAIT).until(() -> deliverer.attempts().size() == 2);
      await().atMost(WAIT).until(() -> "delivered".equals(delivery("evt-once", "orders").state())
          && "delivered".equals(delivery("evt-once", "billing").state()));
      assertThat(deliverer.attempts()).extracting(a -> a.delivery().endpoint())
          .containsExactlyInAnyOrder("orders", "billing");
      assertThat(deliverer.attempts()).allSatisfy(a -> {
        assertThat(a.delivery().eventId()).isEqualTo("evt-once");
        assertThat(a.delivery().attempt()).isEqualTo(1);
        assertThat(a.delivery().payload()).isEqualTo("{\"n\": 1}");
      });
      // Counted once the settle's result is back, a moment after its row is visible.
      await().atMost(WAIT).untilAsserted(() ->
          assertThat(relay.counter(EngineMetrics.DELIVERED, "endpoint", "orders")).isEqualTo(1.0));
      assertThat(delivery("evt-once", "orders").lastStatus()).isEqualTo(200);
    }
    assertThat(deliverer.attempts()).hasSize(2);
  }

  @Test
  void retryableFailureReschedulesWithGrowingCappedDelaysThenDies() {
    // 300 ms, then x3 capped at 900 ms: 300, 900, 900, 900. Uncapped the 3rd gap would be 2.7 s.
    var retry = new RetryPolicy(Duration.ofMillis(300), 3.0, Duration.ofMillis(900), 0.0, 5, Duration.ofSeconds(5));
    RecordingDeliverer deliverer = new RecordingDeliverer(d -> Mono.just(Outcome.retry("HTTP 503", 503, null)));
    try (var relay = Relays.start(database, Relays.fast().retry(retry).build(), deliverer)) {
      publish("order.created", "evt-retry");
      await().atMost(WAIT).until(() -> "dead".equals(delivery("evt-retry", "orders").state()));
      List<RecordingDeliverer.Attempt> attempts = deliverer.attemptsFor("evt-retry").stream()
          .filter(a -> a.delivery().endpoint().equals("orders")).toList();
      assertThat(attempts).extracting(a -> a.delivery().attempt()).containsExactly(1, 2, 3, 4, 5);
      long[] expected = {300, 900, 900, 900};
      for (int i = 1; i < attempts.size(); i++) {
        long gapMillis = (attempts.get(i).startNanos() - attempts.get(i - 1).endNanos()) / 1_000_000;
        assertThat(gapMillis).as("gap before attempt %d", i + 1).isGreaterThanOrEqualTo(expected[i - 1] - 25);
        assertThat(gapMillis).as("gap before attempt %d is capped", i + 1).isLessThan(2500);
      }
      DeliveryRecord dead = delivery("evt-retry", "orders");
      assertThat(dead.attempts()).isEqualTo(5);
      assertThat(dead.lastStatus()).isEqualTo(503);
      assertThat(dead.lastError()).isEqualTo("gave up after 5 attempts: HTTP 503");
      assertThat(relay.counter(EngineMetrics.RETRIED, "endpoint", "orders")).isEqualTo(4.0);
      // Counted once the settle's result is back, a moment after its row is visible.
      await().atMost(WAIT).untilAsserted(() ->
          assertThat(relay.counter(EngineMetrics.DEAD, "endpoint", "orders")).isEqualTo(1.0));
    }
  }

  @Test
  void retryAfterLengthensTheWaitUpToItsCap() {
    RecordingDeliverer deliverer = new RecordingDeliverer(d -> Mono.just(d.attempt() == 1
        ? Outcome.retry("HTTP 429", 429, Duration.ofMillis(1500))
        : Outcome.delivered(200)));
    try (var relay = Relays.start(database, Relays.fast().build(), deliverer)) {
      publish("order.created", "evt-429");
      await().atMost(WAIT).until(() -> "delivered".equals(delivery("evt-429", "orders").state()));
      var attempts = deliverer.attemptsFor("evt-429").stream().filter(a -> a.delivery().endpoint().equals("orders")).toList();
      assertThat(attempts).hasSize(2);
      long gap = (attempts.get(1).startNanos() - attempts.get(0).endNanos()) / 1_000_000;
      // The backoff alone would be 100 ms; Retry-After asked for 1.5 s and the cap (1 s) bounds it.
      assertThat(gap).isGreaterThanOrEqualTo(975);
    }
  }

  @Test
  void terminalOutcomeGoesDeadAtOnceWithItsError() {
    RecordingDeliverer deliverer = new RecordingDeliverer(d -> Mono.just(Outcome.terminal("HTTP 400: missing field", 400)));
    try (var relay = Relays.start(database, Relays.fast().build(), deliverer)) {
      publish("order.created", "evt-400");
      await().atMost(WAIT).until(() -> "dead".equals(delivery("evt-400", "orders").state()));
      DeliveryRecord dead = delivery("evt-400", "orders");
      assertThat(dead.attempts()).isEqualTo(1);
      assertThat(dead.lastStatus()).isEqualTo(400);
      assertThat(dead.lastError()).isEqualTo("HTTP 400: missing field");
      assertThat(dead.settledAt()).isNotNull();
    }
  }

  @Test
  void delivererErrorsAndTimeoutsAreRetryableNotLost() {
    RecordingDeliverer deliverer = new RecordingDeliverer(d -> switch (d.attempt()) {
      case 1 -> Mono.error(new IllegalStateException("boom"));
      case 2 -> Mono.never();
      default -> Mono.just(Outcome.delivered(204));
    });
    try (var relay = Relays.start(database, Relays.fast().build(), deliverer)) {
      publish("invoice.paid", "evt-err");
      await().atMost(WAIT).until(() -> "delivered".equals(delivery("evt-err", "billing").state()));
      assertThat(delivery("evt-err", "billing").attempts()).isEqualTo(3);
    }
  }

  @Test
  void deferredAttemptsDoNotUseUpTheAttemptBudget() {
    var twoAttempts = new RetryPolicy(Duration.ofMillis(50), 1.0, Duration.ofMillis(50), 0.0, 2, Duration.ofSeconds(1));
    java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
    RecordingDeliverer deliverer = new RecordingDeliverer(d -> Mono.just(calls.incrementAndGet() <= 4
        ? Outcome.deferred("not sent: circuit breaker open", Duration.ofMillis(50))
        : Outcome.delivered(200)));
    try (var relay = Relays.start(database, Relays.fast().retry(twoAttempts).build(), deliverer,
        List.of(new EndpointSpec("orders", List.of("order.*"))))) {
      publish("order.created", "evt-deferred");
      await().atMost(WAIT).until(() -> "delivered".equals(delivery("evt-deferred", "orders").state()));
      assertThat(deliverer.attempts()).hasSize(5).allSatisfy(a -> assertThat(a.delivery().attempt()).isEqualTo(1));
      assertThat(delivery("evt-deferred", "orders").attempts()).isEqualTo(1);
      assertThat(relay.counter(EngineMetrics.DEFERRED, "endpoint", "orders")).isEqualTo(4.0);
    }
  }

  @Test
  void goneDisablesTheEndpointAndHoldsItsOtherDeliveriesUntilResumed() {
    AtomicBoolean gone = new AtomicBoolean(true);
    RecordingDeliverer deliverer = new RecordingDeliverer(d -> Mono.just(
        d.endpoint().equals("orders") && gone.get() ? Outcome.endpointGone("HTTP 410: gone", 410) : Outcome.delivered(200)));
    try (var relay = Relays.start(database, Relays.fast().build(), deliverer)) {
      RelayEngine engine = relay.engine();
      publish("order.created", "evt-gone-1");
      await().atMost(WAIT).until(() -> "dead".equals(delivery("evt-gone-1", "orders").state()));
      EndpointStatus orders = engine.endpoints().get("orders").block(WAIT);
      assertThat(orders.state()).isEqualTo("disabled");
      assertThat(orders.reason()).contains("410");

      publish("order.created", "evt-gone-2");
      await().atMost(WAIT).until(() -> "delivered".equals(delivery("evt-gone-2", "billing").state()));
      assertThat(delivery("evt-gone-2", "orders").state()).isEqualTo("pending");
      assertThat(deliverer.attemptsFor("evt-gone-2")).extracting(a -> a.delivery().endpoint()).containsOnly("billing");

      gone.set(false);
      assertThat(engine.endpoints().resume("orders").block(WAIT)).isTrue();
      engine.wake();
      await().atMost(WAIT).until(() -> "delivered".equals(delivery("evt-gone-2", "orders").state()));
    }
  }

  @Test
  void pausedEndpointHoldsDeliveriesAndResumeReleasesThem() {
    RecordingDeliverer deliverer = RecordingDeliverer.succeeding();
    try (var relay = Relays.start(database, Relays.fast().build(), deliverer)) {
      RelayEngine engine = relay.engine();
      assertThat(engine.endpoints().pause("orders", "receiver maintenance").block(WAIT)).isTrue();
      publish("order.created", "evt-paused");
      await().atMost(WAIT).until(() -> "delivered".equals(delivery("evt-paused", "billing").state()));
      EndpointStatus status = engine.endpoints().get("orders").block(WAIT);
      assertThat(status.state()).isEqualTo("paused");
      assertThat(status.reason()).isEqualTo("receiver maintenance");
      assertThat(status.backlog()).isEqualTo(1);
      assertThat(status.oldestPendingAge()).isNotNull();
      assertThat(delivery("evt-paused", "orders").state()).isEqualTo("pending");
      // The gauges are refreshed every 200 ms: one refresh may still have counted billing's row
      // before it settled.
      await().atMost(WAIT).until(() -> relay.gauge(EngineMetrics.BACKLOG, "endpoint", "orders") == 1.0
          && relay.gauge(EngineMetrics.BACKLOG, "endpoint", "billing") == 0.0);

      engine.endpoints().resume("orders").block(WAIT);
      engine.wake();
      await().atMost(WAIT).until(() -> "delivered".equals(delivery("evt-paused", "orders").state()));
    }
  }

  @Test
  void endpointNoRelayServesKeepsItsDeliveriesHeldUntilARelayServesIt() {
    publish("order.created", "evt-removed");
    RecordingDeliverer billingOnly = RecordingDeliverer.succeeding();
    try (var relay = Relays.start(database, Relays.fast().build(), billingOnly,
        List.of(new EndpointSpec("billing", List.of())))) {
      await().atMost(WAIT).until(() -> "delivered".equals(delivery("evt-removed", "billing").state()));
      // No running relay serves orders: it takes no new deliveries, and the one it has waits.
      assertThat(relay.engine().endpoints().get("orders").block(WAIT).state()).isEqualTo("removed");
      publish("order.created", "evt-after-removal");
      assertThat(delivery("evt-after-removal", "orders")).isNull();
      assertThat(delivery("evt-removed", "orders").state()).isEqualTo("pending");
      await().atMost(WAIT).until(() -> relay.gauge(EngineMetrics.UNSERVED) == 1.0);
      assertThat(relay.engine().health().detail()).contains("orders (1 pending, no running relay serves it)");
      assertThat(billingOnly.attempts()).extracting(a -> a.delivery().endpoint()).containsOnly("billing");

      RecordingDeliverer ordersToo = RecordingDeliverer.succeeding();
      try (var second = Relays.start(database, Relays.fast().build(), ordersToo,
          List.of(new EndpointSpec("orders", List.of("order.*"))))) {
        await().atMost(WAIT).until(() -> "delivered".equals(delivery("evt-removed", "orders").state()));
        assertThat(second.engine().endpoints().get("orders").block(WAIT).state()).isEqualTo("active");
        assertThat(ordersToo.attempts()).extracting(a -> a.delivery().endpoint()).containsOnly("orders");
      }
    }
  }

  @Test
  void deadLettersListCountReplayAndDiscard() {
    AtomicBoolean failing = new AtomicBoolean(true);
    RecordingDeliverer deliverer = new RecordingDeliverer(d -> Mono.just(
        failing.get() ? Outcome.terminal("HTTP 422: rejected", 422) : Outcome.delivered(200)));
    try (var relay = Relays.start(database, Relays.fast().build(), deliverer)) {
      RelayEngine engine = relay.engine();
      Instant before = Instant.now().minusSeconds(60);
      publish("order.created", "evt-d1");
      publish("order.updated", "evt-d2");
      publish("user.created", "evt-d3");
      await().atMost(WAIT).until(() -> engine.deadLetters().count(DeadLetterQuery.all()).block(WAIT) == 5);

      assertThat(engine.deadLetters().count(DeadLetterQuery.forEndpoint("orders")).block(WAIT)).isEqualTo(2);
      var byType = new DeadLetterQuery(null, "order.updated", null, null, 100);
      assertThat(engine.deadLetters().list(byType).collectList().block(WAIT))
          .extracting(DeliveryRecord::eventId, DeliveryRecord::endpoint)
          .containsExactlyInAnyOrder(
              org.assertj.core.groups.Tuple.tuple("evt-d2", "orders"),
              org.assertj.core.groups.Tuple.tuple("evt-d2", "billing"));
      assertThat(engine.deadLetters().count(new DeadLetterQuery(null, null, before, null, 100)).block(WAIT)).isEqualTo(5);
      assertThat(engine.deadLetters().count(new DeadLetterQuery(null, null, null, before, 100)).block(WAIT)).isZero();
      assertThat(engine.deadLetters().list(DeadLetterQuery.all()).collectList().block(WAIT))
          .allSatisfy(d -> assertThat(d.lastError()).isEqualTo("HTTP 422: rejected"));

      failing.set(false);
      assertThat(engine.deadLetters().replay(DeadLetterQuery.forEndpoint("orders")).block(WAIT)).isEqualTo(2);
      await().atMost(WAIT).until(() -> "delivered".equals(delivery("evt-d1", "orders").state())
          && "delivered".equals(delivery("evt-d2", "orders").state()));
      assertThat(delivery("evt-d1", "orders").attempts()).isEqualTo(1);

      long billingDeadId = delivery("evt-d3", "billing").id();
      assertThat(engine.deadLetters().discardIds(List.of(billingDeadId)).block(WAIT)).isEqualTo(1);
      assertThat(delivery("evt-d3", "billing").state()).isEqualTo("discarded");
      assertThat(engine.deadLetters().discard(DeadLetterQuery.all()).block(WAIT)).isEqualTo(2);
      assertThat(engine.deadLetters().count(DeadLetterQuery.all()).block(WAIT)).isZero();
      // Discard and replay touch only dead rows.
      assertThat(engine.deadLetters().replayIds(List.of(billingDeadId)).block(WAIT)).isZero();
      assertThat(delivery("evt-d1", "orders").state()).isEqualTo("delivered");
    }
  }

  @Test
  void replayMessagesSinceRedeliversToOneEndpointOnlyWhatItSubscribesTo() {
    RecordingDeliverer deliverer = RecordingDeliverer.succeeding();
    try (var relay = Relays.start(database, Relays.fast().build(), deliverer)) {
      publish("order.created", "evt-r1");
      publish("user.created", "evt-r2");
      relay.engine().publisher().publish(new PublishRequest("order.created", "{}", null, "evt-r3", "billing")).block(WAIT);
      // Settled, not only attempted: a replay leaves a delivery that is still pending (in flight) as
      // it is, since it will be delivered anyway.
      await().atMost(WAIT).until(() -> deliverer.attempts().size() == 4
          && db.count("SELECT count(*) FROM {schema}.delivery WHERE state <> 'delivered'") == 0);
      long n = relay.engine().deadLetters().replayMessages("orders", Instant.now().minusSeconds(600)).block(WAIT);
      // evt-r1 was delivered to orders: sent again. evt-r2 is a type orders does not take, and evt-r3
      // was addressed to billing: neither goes to orders.
      assertThat(n).isEqualTo(1);
      await().atMost(WAIT).until(() -> deliverer.attempts().size() == 5);
      assertThat(deliverer.attemptsFor("evt-r1")).hasSize(3);
      assertThat(delivery("evt-r2", "orders")).isNull();
      assertThat(delivery("evt-r3", "orders")).isNull();
      assertThat(relay.engine().deadLetters().replayMessages("orders", Instant.now().plusSeconds(600)).block(WAIT)).isZero();
    }
  }

  @Test
  void messageWithNoSubscriberIsKeptAndCountedAndReplayableToAnEndpointThatTakesIt() {
    db.execute("TRUNCATE {schema}.delivery, {schema}.message, {schema}.endpoint CASCADE");
    Relays.endpoints(database, new EndpointSpec("orders", List.of("order.*")));
    long id = publish("audit.logged", "evt-unrouted");
    assertThat(db.count("SELECT count(*) FROM {schema}.message WHERE id = ? AND unrouted", id)).isEqualTo(1);
    assertThat(db.count("SELECT count(*) FROM {schema}.delivery WHERE message_id = ?", id)).isZero();
    Relays.endpoints(database, new EndpointSpec("audit", List.of("audit.*")));
    try (var relay = Relays.start(database, Relays.fast().build(), RecordingDeliverer.succeeding())) {
      await().atMost(WAIT).until(() -> relay.gauge(EngineMetrics.UNROUTED) == 1.0);
      // Not to an endpoint that does not take its type; to one that does.
      assertThat(relay.engine().deadLetters().replayMessages("orders", Instant.now().minusSeconds(60)).block(WAIT)).isZero();
      assertThat(relay.engine().deadLetters().replayMessages("audit", Instant.now().minusSeconds(60)).block(WAIT)).isEqualTo(1);
      await().atMost(WAIT).until(() -> "delivered".equals(delivery("evt-unrouted", "audit").state()));
    }
  }

  @Test
  void publishingFromJavaUsesTheSameFunction() {
    try (var relay = Relays.start(database, Relays.fast().build(), RecordingDeliverer.succeeding())) {
      long id = relay.engine().publisher().publish(new PublishRequest("order.created", "{\"a\":1}", null, "evt-java", "orders")).block(WAIT);
      long again = relay.engine().publisher().publish(new PublishRequest("order.created", "{\"a\":1}", null, "evt-java", "orders")).block(WAIT);
      assertThat(again).isEqualTo(id);
      await().atMost(WAIT).until(() -> "delivered".equals(delivery("evt-java", "orders").state()));
      // An explicit endpoint bypasses subscriptions: billing (subscribed to all) gets nothing.
      assertThat(relay.engine().deliveries().findByEventId("evt-java").collectList().block(WAIT)).hasSize(1);
    }
  }
}
