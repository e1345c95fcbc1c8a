package dev.relay.engine;

import static dev.relay.engine.Relays.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.relay.engine.config.EngineConfig;
import dev.relay.engine.config.RetryPolicy;
import dev.relay.engine.db.Database;
import dev.relay.engine.endpoint.BlockedKey;
import dev.relay.engine.endpoint.EndpointSpec;
import dev.relay.engine.endpoint.OnDeadLetter;
import dev.relay.engine.metrics.EngineMetrics;
import dev.relay.engine.spi.Delivery;
import dev.relay.engine.spi.Outcome;
import dev.relay.engine.testing.PostgresExtension;
import dev.relay.engine.testing.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Mono;

/**
 * Ordered delivery per (endpoint, ordering key): a message is attempted only after every earlier
 * one of its key settled; other keys and unkeyed messages are never held back.
 */
@ExtendWith(PostgresExtension.class)
class OrderingIT {
  private static final Pattern SEQ = Pattern.compile("\"seq\": (\\d+)");
  private static final RetryPolicy QUICK_RETRIES =
      new RetryPolicy(Duration.ofMillis(20), 1.0, Duration.ofMillis(20), 0.0, 12, Duration.ofSeconds(1));
  private final TestDatabase db;
  private Database database;

  OrderingIT(TestDatabase db) {
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

  private static int seq(Delivery d) {
    Matcher m = SEQ.matcher(d.payload());
    assertThat(m.find()).isTrue();
    return Integer.parseInt(m.group(1));
  }

  private void publish(String key, int seq) {
    db.execute("SELECT {schema}.publish('t', jsonb_build_object('seq', ?::int), ordering_key => ?)", seq, key);
  }

  @Test
  void threeRelaysDeliverEveryKeyInOrderWhileTwentyPercentOfAttemptsFail() throws Exception {
    Relays.endpoints(database, new EndpointSpec("e", List.of()));
    List<RecordingDeliverer.Attempt> log = new CopyOnWriteArrayList<>();
    Function<Delivery, Mono<Outcome>> flaky = d -> Mono.delay(Duration.ofMillis(ThreadLocalRandom.current().nextInt(3)))
        .map(x -> ThreadLocalRandom.current().nextInt(5) == 0 ? Outcome.retry("HTTP 503", 503, null) : Outcome.delivered(200));
    List<Database> pools = new ArrayList<>();
    List<Relays.Engine> relays = new ArrayList<>();
    ExecutorService publishers = Executors.newFixedThreadPool(4);
    try {
      for (int i = 0; i < 3; i++) {
        Database pool = Relays.migrated(db);
        pools.add(pool);
        relays.add(Relays.start(pool, Relays.fast().retry(QUICK_RETRIES).build(),
            new RecordingDeliverer("relay-" + i, log, flaky)));
      }
      // 20 keys x 200 messages, published while the relays deliver: each key by one publisher in
      // its own order, four publishers at once (keys do not wait for each other).
      List<Future<?>> done = new ArrayList<>();
      for (int p = 0; p < 4; p++) {
        int publisher = p;
        done.add(publishers.submit(() -> {
          try (var c = db.jdbc(); var ps = c.prepareStatement(db.resolve(
              "SELECT {schema}.publish('t', jsonb_build_object('seq', ?::int), ordering_key => ?)"))) {
            for (int seq = 1; seq <= 200; seq++) {
              for (int k = publisher; k < 20; k += 4) {
                ps.setInt(1, seq);
                ps.setString(2, "key-" + k);
                ps.execute();
              }
            }
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
      await().atMost(Duration.ofMinutes(4)).until(() ->
          db.count("SELECT count(*) FROM {schema}.delivery WHERE state = 'delivered'") == 4000);
    } finally {
      publishers.shutdownNow();
      relays.forEach(Relays.Engine::close);
      pools.forEach(p -> p.close().block(WAIT));
    }

    Map<String, List<RecordingDeliverer.Attempt>> byKey = log.stream()
        .collect(Collectors.groupingBy(a -> a.delivery().orderingKey()));
    assertThat(byKey).hasSize(20);
    for (var entry : byKey.entrySet()) {
      List<RecordingDeliverer.Attempt> attempts = entry.getValue().stream()
          .sorted(Comparator.comparingLong(RecordingDeliverer.Attempt::startNanos)).toList();
      // Attempts of a key never overlap and never go backwards; each message's attempts end
      // before the next message's first one starts.
      for (int i = 1; i < attempts.size(); i++) {
        RecordingDeliverer.Attempt before = attempts.get(i - 1);
        RecordingDeliverer.Attempt after = attempts.get(i);
        assertThat(after.startNanos()).as(entry.getKey()).isGreaterThanOrEqualTo(before.endNanos());
        assertThat(seq(after.delivery())).as(entry.getKey()).isGreaterThanOrEqualTo(seq(before.delivery()));
      }
      assertThat(attempts.stream().map(a -> seq(a.delivery())).distinct().toList())
          .as("every message of " + entry.getKey() + ", in order, none missing")
          .isEqualTo(java.util.stream.IntStream.rangeClosed(1, 200).boxed().toList());
    }
    assertThat(log.stream().map(RecordingDeliverer.Attempt::engine).distinct()).hasSize(3);
    assertThat(db.count("SELECT count(*) FROM {schema}.delivery WHERE state <> 'delivered'")).isZero();
  }

  @Test
  void withSkipADeadLetterLetsTheRestOfItsKeyContinue() {
    Relays.endpoints(database, new EndpointSpec("e", List.of(), false, OnDeadLetter.SKIP));
    for (int seq = 1; seq <= 5; seq++) {
      publish("k", seq);
    }
    var deliverer = new RecordingDeliverer(d -> Mono.just(
        seq(d) == 2 ? Outcome.terminal("HTTP 422: rejected", 422) : Outcome.delivered(200)));
    try (var relay = Relays.start(database, Relays.fast().build(), deliverer)) {
      await().atMost(WAIT).until(() -> db.count("SELECT count(*) FROM {schema}.delivery WHERE state = 'delivered'") == 4);
      assertThat(deliverer.attempts().stream().sorted(Comparator.comparingLong(RecordingDeliverer.Attempt::startNanos))
          .map(a -> seq(a.delivery()))).containsExactly(1, 2, 3, 4, 5);
      assertThat(relay.engine().endpoints().blockedKeys(null, 10).collectList().block(WAIT)).isEmpty();
    }
  }

  @Test
  void withBlockADeadLetterHoldsItsKeyUntilReplayedOrDiscardedAndOtherKeysFlow() {
    Relays.endpoints(database, new EndpointSpec("e", List.of(), false, OnDeadLetter.BLOCK));
    AtomicBoolean rejecting = new AtomicBoolean(true);
    Set<String> rejectedOnce = ConcurrentHashMap.newKeySet();
    var deliverer = new RecordingDeliverer(d -> Mono.just(
        rejecting.get() && seq(d) == 2 && rejectedOnce.add(d.eventId())
            ? Outcome.terminal("HTTP 422: rejected", 422) : Outcome.delivered(200)));
    try (var relay = Relays.start(database, Relays.fast().build(), deliverer)) {
      RelayEngine engine = relay.engine();
      for (int seq = 1; seq <= 5; seq++) {
        publish("held", seq);
        publish("other", seq);
      }
      db.execute("SELECT {schema}.publish('t', '{\"seq\": 0}'::jsonb)");
      // "other" also has a dead letter (its seq 2) and is held too; the unkeyed message flows.
      await().atMost(WAIT).until(() -> db.count("SELECT count(*) FROM {schema}.delivery WHERE state = 'dead'") == 2);
      await().atMost(WAIT).until(() -> db.count("SELECT count(*) FROM {schema}.delivery WHERE state = 'delivered'") == 3);
      List<BlockedKey> blocked = engine.endpoints().blockedKeys("e", 10).collectList().block(WAIT);
      assertThat(blocked).extracting(BlockedKey::orderingKey, BlockedKey::waiting)
          .containsExactly(org.assertj.core.groups.Tuple.tuple("held", 3L), org.assertj.core.groups.Tuple.tuple("other", 3L));
      await().atMost(WAIT).until(() -> relay.gauge(EngineMetrics.BLOCKED_KEYS, "endpoint", "e") == 2.0);
      engine.wake();
      assertThat(deliverer.attempts()).hasSize(5);

      // Replay releases "held" (its dead letter goes first), discard releases "other" (skipped).
      long heldDead = blocked.get(0).deadLetterId();
      long otherDead = blocked.get(1).deadLetterId();
      rejecting.set(false);
      assertThat(engine.deadLetters().replayIds(List.of(heldDead)).block(WAIT)).isEqualTo(1);
      assertThat(engine.deadLetters().discardIds(List.of(otherDead)).block(WAIT)).isEqualTo(1);
      await().atMost(WAIT).until(() -> db.count("SELECT count(*) FROM {schema}.delivery WHERE state = 'delivered'") == 10);
      Map<String, List<Integer>> delivered = deliverer.attempts().stream()
          .filter(a -> a.delivery().orderingKey() != null)
          .sorted(Comparator.comparingLong(RecordingDeliverer.Attempt::startNanos))
          .collect(Collectors.groupingBy(a -> a.delivery().orderingKey(),
              Collectors.mapping(a -> seq(a.delivery()), Collectors.toList())));
      assertThat(delivered.get("held")).containsExactly(1, 2, 2, 3, 4, 5);
      assertThat(delivered.get("other")).containsExactly(1, 2, 3, 4, 5);
      await().atMost(WAIT).until(() -> relay.gauge(EngineMetrics.BLOCKED_KEYS, "endpoint", "e") == 0.0);
    }
  }

  @Test
  void aKeyWhoseHeadKeepsFailingHoldsOnlyItself() {
    Relays.endpoints(database, new EndpointSpec("e", List.of()));
    for (int seq = 1; seq <= 3; seq++) {
      publish("stuck", seq);
    }
    for (int k = 0; k < 10; k++) {
      for (int seq = 1; seq <= 10; seq++) {
        publish("free-" + k, seq);
      }
    }
    db.execute("SELECT {schema}.publish('t', jsonb_build_object('seq', g)) FROM generate_series(1, 50) g");
    var slowRetries = new RetryPolicy(Duration.ofSeconds(30), 1.0, Duration.ofSeconds(30), 0.0, 12, Duration.ofSeconds(1));
    var deliverer = new RecordingDeliverer(d -> Mono.just("stuck".equals(d.orderingKey())
        ? Outcome.retry("HTTP 500", 500, null) : Outcome.delivered(200)));
    EngineConfig config = Relays.fast().retry(slowRetries).build();
    try (var relay = Relays.start(database, config, deliverer)) {
      await().atMost(WAIT).until(() -> db.count("SELECT count(*) FROM {schema}.delivery WHERE state = 'delivered'") == 150);
      assertThat(deliverer.attempts()).filteredOn(a -> "stuck".equals(a.delivery().orderingKey()))
          .extracting(a -> seq(a.delivery())).containsExactly(1);
      assertThat(db.count("SELECT count(*) FROM {schema}.delivery WHERE ordering_key = 'stuck' AND attempts = 0")).isEqualTo(2);
    }
  }
}
