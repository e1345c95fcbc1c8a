package dev.relay.engine;

import static dev.relay.engine.Relays.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.relay.engine.config.EngineConfig;
import dev.relay.engine.config.RetryPolicy;
import dev.relay.engine.db.Database;
import dev.relay.engine.endpoint.EndpointSpec;
import dev.relay.engine.metrics.EngineMetrics;
import dev.relay.engine.spi.Outcome;
import dev.relay.engine.testing.PostgresExtension;
import dev.relay.engine.testing.TcpProxy;
import dev.relay.engine.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Mono;

/**
 * What the database's failures do to a running relay (issue 11): an outage loses no acknowledged
 * delivery and duplicates none; a frozen connection is dropped after the statement timeout and the
 * relay says it is stalled meanwhile; a NOTIFY self-test that failed once is run again.
 */
@ExtendWith(PostgresExtension.class)
class DatabaseFaultsIT {
  private final TestDatabase db;
  private Database setup;
  private TcpProxy proxy;
  private Database viaProxy;

  DatabaseFaultsIT(TestDatabase db) {
    this.db = db;
  }

  @BeforeEach
  void setUp() {
    setup = Relays.migrated(db);
    db.execute("TRUNCATE {schema}.delivery, {schema}.message, {schema}.endpoint, {schema}.instance CASCADE");
    Relays.endpoints(setup, new EndpointSpec("e", List.of()));
    proxy = new TcpProxy(db.server().host(), db.server().port());
    viaProxy = Database.connect(db.config(6).via("127.0.0.1", proxy.port()).withStatementTimeout(Duration.ofSeconds(1)));
  }

  @AfterEach
  void tearDown() {
    viaProxy.close().block(WAIT);
    proxy.close();
    setup.close().block(WAIT);
  }

  private long delivered() {
    return db.count("SELECT count(*) FROM {schema}.delivery WHERE state = 'delivered'");
  }

  @Test
  void aDatabaseOutageWhileReceiversAnswerDuplicatesNothing() throws Exception {
    var deliverer = new RecordingDeliverer(d -> Mono.delay(Duration.ofMillis(1500)).thenReturn(Outcome.delivered(200)));
    EngineConfig config = Relays.fast().lease(Duration.ofSeconds(10)).attemptTimeout(Duration.ofSeconds(3)).build();
    try (var relay = Relays.start(viaProxy, config, deliverer)) {
      db.execute("SELECT {schema}.publish('t', jsonb_build_object('n', g)) FROM generate_series(1, 20) g");
      await().atMost(WAIT).until(() -> relay.engine().inFlight() == 20);
      // The database goes away while the receivers are answering: every settle fails for 3 s.
      proxy.refuse(true);
      proxy.resetAll();
      Thread.sleep(3000);
      proxy.refuse(false);
      await().atMost(WAIT).until(() -> delivered() == 20);
      assertThat(deliverer.attempts()).as("each acknowledged delivery sent once").hasSize(20);
      assertThat(relay.counter(EngineMetrics.STALE_SETTLES)).isZero();
      assertThat(relay.counter(EngineMetrics.SETTLE_FAILURES)).isZero();
    }
  }

  @Test
  void frozenConnectionsAreDroppedAndTheRelayCarriesOnOnNewOnes() {
    var deliverer = RecordingDeliverer.succeeding();
    try (var relay = Relays.start(viaProxy, Relays.fast().build(), deliverer)) {
      db.execute("SELECT {schema}.publish('t', '{}'::jsonb, event_id => 'before')");
      await().atMost(WAIT).until(() -> delivered() == 1);
      // Every connection open now stops answering (new ones work): the relay must not wait for
      // TCP to give up.
      proxy.freezeExisting();
      db.execute("SELECT {schema}.publish('t', jsonb_build_object('n', g)) FROM generate_series(1, 10) g");
      await().atMost(WAIT).until(() -> delivered() == 11);
      assertThat(relay.engine().health().ok()).isTrue();
    }
  }

  @Test
  void aRelayThatCannotReachItsDatabaseSaysItIsStalledAndRecovers() {
    var deliverer = RecordingDeliverer.succeeding();
    try (var relay = Relays.start(viaProxy, Relays.fast().build(), deliverer)) {
      await().atMost(WAIT).until(() -> relay.engine().health().ok());
      proxy.freeze();
      await().atMost(WAIT).until(() -> !relay.engine().health().progressing());
      EngineHealth stalled = relay.engine().health();
      assertThat(stalled.mode()).isEqualTo("stalled");
      assertThat(stalled.detail()).contains("no claim or settle has completed").contains("database.statement-timeout");
      assertThat(relay.gauge(EngineMetrics.PROGRESS_AGE)).isGreaterThan(3.0);
      db.execute("SELECT {schema}.publish('t', jsonb_build_object('n', g)) FROM generate_series(1, 10) g");

      proxy.thaw();
      await().atMost(WAIT).until(() -> delivered() == 10);
      await().atMost(WAIT).until(() -> relay.engine().health().ok());
    }
  }

  @Test
  void aNotifySelfTestThatFailedOnceIsRunAgainWhenListenReconnects() {
    RelayEngine engine = RelayEngine.create(setup, Relays.fast().pollInterval(Duration.ofSeconds(30)).build(),
        Relays.declared(setup), RecordingDeliverer.succeeding(), new SimpleMeterRegistry());
    engine.selfTestTimeout(Duration.ofNanos(1));
    engine.start().block(WAIT);
    try {
      await().atMost(WAIT).until(() -> engine.health().detail().contains("notifications do not arrive"));
      engine.selfTestTimeout(Duration.ofSeconds(3));
      db.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN%' "
          + "AND query LIKE '%" + db.schema() + "_wakeup%'");
      await().atMost(WAIT).until(() -> engine.health().mode().equals("listen"));
    } finally {
      engine.stop(Duration.ofSeconds(5)).block(WAIT);
    }
  }

  @Test
  void atTheSmallestLeaseAllowedASlowAttemptAndASlowSettleStillBeatAnotherRelay() throws Exception {
    // lease = attempt timeout + settle linger + statement timeout + 1 s, the least the config allows.
    Duration attemptTimeout = Duration.ofSeconds(2);
    Duration statementTimeout = Duration.ofSeconds(2);
    Duration lease = attemptTimeout.plus(Duration.ofMillis(5)).plus(statementTimeout).plusSeconds(1);
    var retries = new RetryPolicy(Duration.ofMillis(100), 2.0, Duration.ofMillis(400), 0.0, 5, Duration.ofSeconds(1));
    EngineConfig config = EngineConfig.builder().lease(lease).attemptTimeout(attemptTimeout)
        .pollInterval(Duration.ofMillis(200)).pollIntervalWithoutNotify(Duration.ofMillis(200))
        .settleLinger(Duration.ofMillis(5)).retry(retries).build();
    List<RecordingDeliverer.Attempt> log = new CopyOnWriteArrayList<>();
    var slow = new RecordingDeliverer("slow", log, d -> Mono.delay(Duration.ofMillis(1000)).thenReturn(Outcome.delivered(200)));
    var other = new RecordingDeliverer("other", log, d -> Mono.just(Outcome.delivered(200)));
    db.execute("SELECT {schema}.publish('t', jsonb_build_object('n', g)) FROM generate_series(1, 10) g");
    Database slowDatabase = Database.connect(db.config(6).via("127.0.0.1", proxy.port()).withStatementTimeout(statementTimeout));
    try (var a = Relays.start(slowDatabase, config.toBuilder().maxInFlight(10).build(), slow)) {
      await().atMost(WAIT).until(() -> a.engine().inFlight() == 10);
      try (var b = Relays.start(setup, config, other)) {
        // a's attempts take half their timeout, and as they end its database stops answering for
        // half a statement timeout: the settles are late, but inside the lease.
        Thread.sleep(800);
        proxy.freeze();
        Thread.sleep(1000);
        proxy.thaw();
        await().atMost(WAIT).until(() -> delivered() == 10);
        Thread.sleep(lease.toMillis());
      }
      assertThat(a.counter(EngineMetrics.STALE_SETTLES)).as("no settle lost its lease to the other relay").isZero();
      Map<Long, Long> attempts = log.stream().collect(Collectors.groupingBy(x -> x.delivery().id(), Collectors.counting()));
      assertThat(attempts).hasSize(10).allSatisfy((id, n) -> assertThat(n).isEqualTo(1));
      assertThat(log).extracting(RecordingDeliverer.Attempt::engine).containsOnly("slow");
    } finally {
      slowDatabase.close().block(WAIT);
    }
  }
}
