package dev.relay.engine;

import static dev.relay.engine.Relays.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.relay.engine.config.RetentionPolicy;
import dev.relay.engine.config.RetryPolicy;
import dev.relay.engine.db.Database;
import dev.relay.engine.endpoint.EndpointSpec;
import dev.relay.engine.metrics.EngineMetrics;
import dev.relay.engine.publish.MessagePublisher;
import dev.relay.engine.publish.PublishRequest;
import dev.relay.engine.retention.Purger;
import dev.relay.engine.spi.Delivery;
import dev.relay.engine.spi.Outcome;
import dev.relay.engine.testing.PostgresExtension;
import dev.relay.engine.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 * Latest-state webhooks: a publish with a supersede key ends the pending, unleased deliveries of
 * earlier messages with that key to the same endpoint as superseded; a delivery mid-attempt is
 * never cancelled (and if it then fails, it is superseded rather than retried).
 */
@ExtendWith(PostgresExtension.class)
class SupersedeIT {
  private static final Pattern SEQ = Pattern.compile("\"seq\": (\\d+)");
  private static final RetryPolicy QUICK_RETRIES =
      new RetryPolicy(Duration.ofMillis(20), 1.0, Duration.ofMillis(20), 0.0, 12, Duration.ofSeconds(1));
  private final TestDatabase db;
  private Database database;

  SupersedeIT(TestDatabase db) {
    this.db = db;
  }

  @BeforeEach
  void setUp() {
    database = Relays.migrated(db);
    db.execute("TRUNCATE {schema}.attempt, {schema}.delivery, {schema}.message, {schema}.endpoint CASCADE");
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

  private void publish(String eventId, String endpoint, String supersedeKey) {
    db.execute("SELECT {schema}.publish('t', '{}'::jsonb, event_id => ?::text, endpoint => ?::text,"
        + " supersede_key => ?::text)", eventId, endpoint, supersedeKey);
  }

  private String state(String eventId, String endpoint) {
    return (String) db.scalar("SELECT d.state FROM {schema}.delivery d JOIN {schema}.message m ON m.id = d.message_id"
        + " WHERE m.event_id = ? AND d.endpoint = ?", eventId, endpoint);
  }

  private String lastError(String eventId, String endpoint) {
    return (String) db.scalar("SELECT d.last_error FROM {schema}.delivery d JOIN {schema}.message m"
        + " ON m.id = d.message_id WHERE m.event_id = ? AND d.endpoint = ?", eventId, endpoint);
  }

  @Test
  void onlyTheLastOfThreePublishesIsDeliveredAndTheOthersAreSupersededWithAReason() {
    Relays.endpoints(database, new EndpointSpec("orders", List.of()));
    publish("o-1", "orders", "order-42");
    publish("o-2", "orders", "order-42");
    publish("o-3", "orders", "order-42");

    assertThat(state("o-1", "orders")).isEqualTo("superseded");
    assertThat(state("o-2", "orders")).isEqualTo("superseded");
    assertThat(state("o-3", "orders")).isEqualTo("pending");
    assertThat(lastError("o-1", "orders")).isEqualTo("superseded by event o-2");
    assertThat(lastError("o-2", "orders")).isEqualTo("superseded by event o-3");
    assertThat(db.count("SELECT count(*) FROM {schema}.delivery WHERE state = 'superseded' AND settled_at IS NOT NULL"))
        .isEqualTo(2);

    var deliverer = RecordingDeliverer.succeeding();
    try (var relay = Relays.start(database, Relays.fast().build(), deliverer)) {
      await().atMost(WAIT).until(() -> "delivered".equals(state("o-3", "orders")));
      await().atMost(WAIT).until(() -> relay.gauge(EngineMetrics.SUPERSEDED, "endpoint", "orders") == 2.0);
      relay.engine().wake();
      assertThat(deliverer.attempts()).extracting(a -> a.delivery().eventId()).containsExactly("o-3");

      // A replay sends the latest state again, not the states it superseded.
      assertThat(relay.engine().deadLetters().replayMessages("orders", java.time.Instant.now().minusSeconds(600))
          .block(WAIT)).isEqualTo(1);
      await().atMost(WAIT).until(() -> deliverer.attempts().size() == 2 && "delivered".equals(state("o-3", "orders")));
      assertThat(deliverer.attempts()).extracting(a -> a.delivery().eventId()).containsExactly("o-3", "o-3");
    }
    assertThat(state("o-1", "orders")).isEqualTo("superseded");

    // Retention purges superseded rows with the delivered ones.
    db.execute("UPDATE {schema}.delivery SET settled_at = now() - interval '2 hours'");
    var policy = new RetentionPolicy(Duration.ofHours(1), Duration.ofDays(1), Duration.ofMinutes(1), 10);
    new Purger(database, policy, new EngineMetrics(new SimpleMeterRegistry())).purgeOnce().block(WAIT);
    assertThat(db.count("SELECT count(*) FROM {schema}.delivery")).isZero();
  }

  @Test
  void runtimeEndpointsAreCountedUnderTheSharedLabel() {
    Relays.endpoints(database, new EndpointSpec("fixed", List.of("fixed.*")));
    db.execute("SELECT {schema}.create_endpoint('tenant-7', 'https://tenant-7.example/hooks', '{rt.*}')");
    for (String id : List.of("rt-1", "rt-2", "rt-3")) {
      db.execute("SELECT {schema}.publish('rt.x', '{}'::jsonb, event_id => ?, supersede_key => 'k', endpoint => 'tenant-7')", id);
    }
    var registry = new SimpleMeterRegistry();
    RelayEngine engine = RelayEngine.create(database, Relays.fast().build(), Relays.declared(database).stream()
            .filter(e -> e.name().equals("fixed")).toList(),
        d -> Mono.just(Outcome.delivered(200)), registry, new dev.relay.engine.endpoint.RuntimeServing(true, false));
    engine.start().block(WAIT);
    try {
      await().atMost(WAIT).until(() -> {
        var g = registry.find(EngineMetrics.SUPERSEDED).tags("endpoint", dev.relay.engine.db.Sql.RUNTIME_SERIES).gauge();
        return g != null && g.value() == 2.0;
      });
      assertThat(registry.find(EngineMetrics.SUPERSEDED).tags("endpoint", "tenant-7").gauge()).isNull();
      assertThat(registry.find(EngineMetrics.SUPERSEDED).tags("endpoint", "fixed").gauge().value()).isZero();
    } finally {
      engine.stop(Duration.ofSeconds(5)).block(WAIT);
    }
  }

  @Test
  void aDeliveryMidAttemptIsNotSupersededAndIsDelivered() throws Exception {
    Relays.endpoints(database, new EndpointSpec("slow", List.of()));
    publish("s-1", "slow", "k");
    CountDownLatch started = new CountDownLatch(1);
    CompletableFuture<Void> release = new CompletableFuture<>();
    var deliverer = new RecordingDeliverer(d -> {
      if (d.eventId().equals("s-1")) {
        started.countDown();
        return Mono.fromFuture(release).thenReturn(Outcome.delivered(200));
      }
      return Mono.just(Outcome.delivered(200));
    });
    try (var relay = Relays.start(database, Relays.fast().lease(Duration.ofSeconds(30))
        .attemptTimeout(Duration.ofSeconds(20)).build(), deliverer)) {
      assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
      publish("s-2", "slow", "k");
      assertThat(state("s-1", "slow")).as("leased: mid-attempt").isEqualTo("pending");
      release.complete(null);
      await().atMost(WAIT).until(() -> "delivered".equals(state("s-1", "slow")) && "delivered".equals(state("s-2", "slow")));
      assertThat(deliverer.attempts()).extracting(a -> a.delivery().eventId()).containsExactlyInAnyOrder("s-1", "s-2");
    }
  }

  @Test
  void aDeliveryThatFailsMidAttemptWhileALaterOneWaitsIsSupersededNotRetried() throws Exception {
    Relays.endpoints(database, new EndpointSpec("flaky", List.of()));
    String sql = "SELECT {schema}.publish('t', '{}'::jsonb, event_id => ?, ordering_key => 'k', supersede_key => 'k')";
    db.execute(sql, "f-1");
    CountDownLatch started = new CountDownLatch(1);
    CompletableFuture<Void> release = new CompletableFuture<>();
    var deliverer = new RecordingDeliverer(d -> {
      if (d.eventId().equals("f-1")) {
        started.countDown();
        return Mono.fromFuture(release).thenReturn(Outcome.retry("HTTP 503", 503, null));
      }
      return Mono.just(Outcome.delivered(200));
    });
    // Retries and polls far apart: the next message of the key must go as soon as the settle lands.
    var slow = new RetryPolicy(Duration.ofSeconds(40), 1.0, Duration.ofSeconds(40), 0.0, 5, Duration.ofSeconds(1));
    try (var relay = Relays.start(database, Relays.fast().lease(Duration.ofSeconds(30))
        .attemptTimeout(Duration.ofSeconds(20)).pollInterval(Duration.ofSeconds(40)).retry(slow).build(), deliverer)) {
      assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
      db.execute(sql, "f-2");
      assertThat(state("f-1", "flaky")).isEqualTo("pending");
      release.complete(null);
      await().atMost(Duration.ofSeconds(10)).until(() -> "delivered".equals(state("f-2", "flaky")));
      assertThat(state("f-1", "flaky")).isEqualTo("superseded");
      assertThat(lastError("f-1", "flaky")).isEqualTo("superseded by event f-2 after: HTTP 503");
      assertThat(deliverer.attempts()).extracting(a -> a.delivery().eventId()).containsExactly("f-1", "f-2");
      // The failed attempt is on record with its own error.
      assertThat(db.scalar("SELECT a.error FROM {schema}.attempt a JOIN {schema}.delivery d ON d.id = a.delivery_id"
          + " JOIN {schema}.message m ON m.id = d.message_id WHERE m.event_id = 'f-1'")).isEqualTo("HTTP 503");
    }
  }

  @Test
  void endpointsAndKeysAreIndependentAndARepeatedEventIdSupersedesNothing() {
    Relays.endpoints(database, new EndpointSpec("x", List.of()), new EndpointSpec("y", List.of()));
    var publisher = new MessagePublisher(database);
    publisher.publish(PublishRequest.of("t", "{}").withSupersedeKey("A")).block(WAIT); // to x and y
    String first = (String) db.scalar("SELECT event_id FROM {schema}.message");
    publisher.publish(new PublishRequest("t", "{}", null, "a-x", "x", "A", null)).block(WAIT);
    publisher.publish(new PublishRequest("t", "{}", null, "b-x", "x", "B", null)).block(WAIT);
    publisher.publish(new PublishRequest("t", "{}", null, "plain-x", "x")).block(WAIT);

    assertThat(state(first, "x")).isEqualTo("superseded");
    assertThat(lastError(first, "x")).isEqualTo("superseded by event a-x");
    assertThat(state(first, "y")).as("another endpoint").isEqualTo("pending");
    assertThat(state("a-x", "x")).isEqualTo("pending");
    assertThat(state("b-x", "x")).as("another key").isEqualTo("pending");
    assertThat(state("plain-x", "x")).isEqualTo("pending");

    // Publishing an earlier event id again is a no-op: it supersedes nothing.
    publish("a-x", "x", "A");
    publish(first, null, "A");
    assertThat(state("a-x", "x")).isEqualTo("pending");
    assertThat(state(first, "y")).isEqualTo("pending");
    assertThat(db.count("SELECT count(*) FROM {schema}.delivery WHERE state = 'superseded'")).isEqualTo(1);

    assertThatThrownBy(() -> publish("bad", "x", ""))
        .hasMessageContaining("relay.publish: supersede_key must be 1-255 printable characters, was 0 characters long");
    assertThatThrownBy(() -> publish("bad", "x", "k".repeat(256)))
        .hasMessageContaining("relay.publish: supersede_key must be 1-255 printable characters, was 256 characters");
  }

  @Test
  void publishBatchSupersedesInArrayOrderAndNamesTheBadEvent() {
    Relays.endpoints(database, new EndpointSpec("z", List.of()));
    publish("before", "z", "A");
    db.execute("SELECT {schema}.publish_batch(?::jsonb)", """
        [{"event_type": "t", "payload": {}, "event_id": "b-1", "supersede_key": "A"},
         {"event_type": "t", "payload": {}, "event_id": "b-2", "supersede_key": "A"},
         {"event_type": "t", "payload": {}, "event_id": "b-3", "supersede_key": "B"},
         {"event_type": "t", "payload": {}, "event_id": "b-4", "supersede_key": "A"},
         {"event_type": "t", "payload": {}, "event_id": "b-5"}]
        """);
    for (String id : List.of("before", "b-1", "b-2")) {
      assertThat(state(id, "z")).as(id).isEqualTo("superseded");
      assertThat(lastError(id, "z")).as(id).isEqualTo("superseded by event b-4");
    }
    for (String id : List.of("b-3", "b-4", "b-5")) {
      assertThat(state(id, "z")).as(id).isEqualTo("pending");
    }

    long messages = db.count("SELECT count(*) FROM {schema}.message");
    assertThatThrownBy(() -> db.execute("SELECT {schema}.publish_batch(?::jsonb)", """
        [{"event_type": "t", "payload": {}, "supersede_key": "A"},
         {"event_type": "t", "payload": {}, "supersede_key": ""}]
        """))
        .hasMessageContaining("relay.publish_batch: event 2: supersede_key must be 1-255 printable characters");
    assertThat(db.count("SELECT count(*) FROM {schema}.message")).isEqualTo(messages);
    assertThat(state("b-4", "z")).isEqualTo("pending");
  }

  @Test
  void withOrderingKeysThreeRelaysDeliverEachKeysLatestStateOnceAndInOrder() throws Exception {
    Relays.endpoints(database, new EndpointSpec("e", List.of()));
    int keys = 12;
    int perKey = 120;
    String sql = "SELECT {schema}.publish('t', jsonb_build_object('seq', ?::int), event_id => ?,"
        + " ordering_key => ?, supersede_key => ?)";
    // A backlog before any relay runs (so superseding is certain), then the rest while they deliver.
    try (var c = db.jdbc(); var ps = c.prepareStatement(db.resolve(sql))) {
      for (int seq = 1; seq <= 10; seq++) {
        for (int k = 0; k < keys; k++) {
          publishKeyed(ps, k, seq);
        }
      }
    }
    List<RecordingDeliverer.Attempt> log = new CopyOnWriteArrayList<>();
    Map<String, AtomicInteger> successes = new ConcurrentHashMap<>();
    Function<Delivery, Mono<Outcome>> flaky = d -> Mono.delay(Duration.ofMillis(1 + ThreadLocalRandom.current().nextInt(4)))
        .map(x -> {
          if (ThreadLocalRandom.current().nextInt(5) == 0) {
            return Outcome.retry("HTTP 503", 503, null);
          }
          successes.computeIfAbsent(d.eventId(), id -> new AtomicInteger()).incrementAndGet();
          return Outcome.delivered(200);
        });
    List<Database> pools = new ArrayList<>();
    List<Relays.Engine> relays = new ArrayList<>();
    ExecutorService publishers = Executors.newFixedThreadPool(3);
    try {
      for (int i = 0; i < 3; i++) {
        Database pool = Relays.migrated(db);
        pools.add(pool);
        relays.add(Relays.start(pool, Relays.fast().retry(QUICK_RETRIES).build(),
            new RecordingDeliverer("relay-" + i, log, flaky)));
      }
      List<Future<?>> done = new ArrayList<>();
      for (int p = 0; p < 3; p++) {
        int publisher = p;
        done.add(publishers.submit(() -> {
          try (var c = db.jdbc(); var ps = c.prepareStatement(db.resolve(sql))) {
            for (int seq = 11; seq <= perKey; seq++) {
              for (int k = publisher; k < keys; k += 3) {
                publishKeyed(ps, k, seq);
              }
            }
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
      await().atMost(Duration.ofMinutes(3)).until(() ->
          db.count("SELECT count(*) FROM {schema}.delivery WHERE state = 'pending'") == 0);
    } finally {
      publishers.shutdownNow();
      relays.forEach(Relays.Engine::close);
      pools.forEach(p -> p.close().block(WAIT));
    }

    // Every message ended delivered or superseded, never both, none lost or dead.
    Map<String, String> states = db.rows("SELECT m.event_id, d.state FROM {schema}.delivery d"
            + " JOIN {schema}.message m ON m.id = d.message_id").stream()
        .collect(Collectors.toMap(r -> (String) r.get(0), r -> (String) r.get(1)));
    assertThat(states).hasSize(keys * perKey);
    assertThat(states.values()).containsOnly("delivered", "superseded");
    assertThat(states.values().stream().filter("superseded"::equals).count()).isGreaterThanOrEqualTo(keys * 9L);
    states.forEach((id, state) -> assertThat(successes.getOrDefault(id, new AtomicInteger()).get())
        .as(id + " " + state).isEqualTo(state.equals("delivered") ? 1 : 0));
    for (int k = 0; k < keys; k++) {
      assertThat(states.get("k" + k + "-" + perKey)).as("the latest state of key " + k).isEqualTo("delivered");
    }
    // Per key: attempts never overlap and never go backwards.
    Map<String, List<RecordingDeliverer.Attempt>> byKey = log.stream()
        .collect(Collectors.groupingBy(a -> a.delivery().orderingKey()));
    assertThat(byKey).hasSize(keys);
    for (var entry : byKey.entrySet()) {
      List<RecordingDeliverer.Attempt> attempts = entry.getValue().stream()
          .sorted(Comparator.comparingLong(RecordingDeliverer.Attempt::startNanos)).toList();
      for (int i = 1; i < attempts.size(); i++) {
        assertThat(attempts.get(i).startNanos()).as(entry.getKey()).isGreaterThanOrEqualTo(attempts.get(i - 1).endNanos());
        assertThat(seq(attempts.get(i).delivery())).as(entry.getKey())
            .isGreaterThanOrEqualTo(seq(attempts.get(i - 1).delivery()));
      }
    }
    assertThat(log.stream().map(RecordingDeliverer.Attempt::engine).distinct()).hasSizeGreaterThan(1);
  }

  /**
   * The supersede statements use delivery_supersede_idx under a forced generic plan (plpgsql
   * caches generic plans), on 20,000 pending rows without a key and 2,000 keyed rows with history:
   * publish's and publish_batch's updates (seen through auto_explain) and the settle's lookup.
   */
  @Test
  void supersedeStatementsProbeTheirPartialIndexUnderAGenericPlan() throws Exception {
    Relays.endpoints(database, new EndpointSpec("plan", List.of()));
    db.execute("SELECT {schema}.publish_batch((SELECT jsonb_agg(jsonb_build_object('event_type', 't', 'payload', '{}'::jsonb))"
        + " FROM generate_series(1, 20000) g))");
    db.execute("SELECT {schema}.publish_batch((SELECT jsonb_agg(jsonb_build_object('event_type', 't', 'payload', '{}'::jsonb,"
        + " 'supersede_key', 'sk-' || (g % 100))) FROM generate_series(1, 2000) g))");
    db.execute("UPDATE {schema}.delivery SET state = 'delivered', settled_at = now() WHERE id % 3 = 0");
    db.execute("ANALYZE {schema}.delivery");
    db.execute("ANALYZE {schema}.message");
    try (var c = db.jdbc(); var st = c.createStatement()) {
      try {
        st.execute("LOAD 'auto_explain'");
      } catch (java.sql.SQLException e) {
        org.junit.jupiter.api.Assumptions.abort("auto_explain cannot be loaded here: " + e.getMessage());
      }
      st.execute("SET auto_explain.log_min_duration = 0");
      st.execute("SET auto_explain.log_nested_statements = on");
      st.execute("SET auto_explain.log_level = 'notice'");
      st.execute("SET plan_cache_mode = force_generic_plan");
      List<String> plans = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        st.execute(db.resolve("SELECT {schema}.publish('t', '{}'::jsonb, supersede_key => 'sk-" + i + "')"));
        plans.addAll(notices(st));
        st.execute(db.resolve("SELECT {schema}.publish_batch('[{\"event_type\": \"t\", \"payload\": {},"
            + " \"supersede_key\": \"sk-1" + i + "\"}]')"));
        plans.addAll(notices(st));
      }
      List<String> updates = plans.stream().filter(p -> p.contains("SET state = 'superseded'")).toList();
      assertThat(updates).hasSize(6);
      updates.forEach(plan -> System.out.println("Supersede update under a generic plan:\n" + plan));
      for (String plan : updates) {
        assertThat(plan).contains("delivery_supersede_idx").doesNotContain("Seq Scan on delivery");
      }
      st.execute("LOAD 'auto_explain'");
      st.execute("SET auto_explain.log_min_duration = -1");
      st.execute("PREPARE settle AS " + database.sql().settle());
      var rs = st.executeQuery("EXPLAIN EXECUTE settle('{1}', '{00000000-0000-0000-0000-000000000001}', '{pending}',"
          + " '{100}', '{503}', '{HTTP 503}', '{0}', '{plan}', '{NULL}', '{NULL}', '{1}', '{1}', '{NULL}',"
          + " '00000000-0000-0000-0000-000000000002', NULL, 20, '{false}')");
      StringBuilder settle = new StringBuilder();
      while (rs.next()) {
        settle.append(rs.getString(1)).append('\n');
      }
      System.out.println("Generic settle plan:\n" + settle);
      assertThat(settle.toString()).contains("delivery_supersede_idx").doesNotContain("Seq Scan on delivery");
    }
  }

  private static List<String> notices(java.sql.Statement st) throws java.sql.SQLException {
    List<String> out = new ArrayList<>();
    for (var w = st.getWarnings(); w != null; w = w.getNextWarning()) {
      out.add(w.getMessage());
    }
    st.clearWarnings();
    return out;
  }

  private static void publishKeyed(java.sql.PreparedStatement ps, int key, int seq) throws java.sql.SQLException {
    ps.setInt(1, seq);
    ps.setString(2, "k" + key + "-" + seq);
    ps.setString(3, "key-" + key);
    ps.setString(4, "key-" + key);
    ps.execute();
  }
}
