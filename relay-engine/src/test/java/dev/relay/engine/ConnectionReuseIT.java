package dev.relay.engine;

import static dev.relay.engine.Relays.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.engine.config.DatabaseConfig;
import dev.relay.engine.db.Database;
import dev.relay.engine.db.Queries;
import dev.relay.engine.db.StatementTimeoutException;
import dev.relay.engine.endpoint.EndpointSpec;
import dev.relay.engine.testing.PostgresExtension;
import dev.relay.engine.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * Pooled connections are reused: a statement read to its end gives its connection back to the
 * pool, and only one its caller cancelled is closed (it may be mid-protocol or frozen). A
 * single-row read that cancelled after its first row once closed its connection every time, so an
 * idle relay opened a new backend for every heartbeat, retry-timer probe and gauge, and a claim
 * could land on a fresh one and be planned again on the delivery path.
 */
@ExtendWith(PostgresExtension.class)
class ConnectionReuseIT {
  private static final String BACKEND = "SELECT pg_backend_pid()";
  private final TestDatabase db;
  private Database database;

  ConnectionReuseIT(TestDatabase db) {
    this.db = db;
  }

  @BeforeEach
  void setUp() {
    database = Relays.migrated(db);
    db.execute("TRUNCATE {schema}.delivery, {schema}.message, {schema}.endpoint, {schema}.instance CASCADE");
  }

  @AfterEach
  void tearDown() {
    database.close().block(WAIT);
  }

  private int backend() {
    Integer pid = database.queries().one(BACKEND, row -> row.get(0, Integer.class)).block(WAIT);
    assertThat(pid).isNotNull();
    return pid;
  }

  /**
   * The relay backends that started during the next {@code millis} ms, sampled every 20 ms (a
   * connection closed after one statement lives tens of milliseconds).
   */
  private Set<Integer> relayBackendsStartedWithin(long millis) throws Exception {
    Set<Integer> started = new HashSet<>();
    try (Connection c = db.jdbc(); Statement st = c.createStatement()) {
      st.execute("CREATE TEMP TABLE since AS SELECT now() AS t");
      long end = System.nanoTime() + millis * 1_000_000;
      while (System.nanoTime() < end) {
        try (ResultSet rs = st.executeQuery("SELECT pid FROM pg_stat_activity, since WHERE application_name = 'relay' "
            + "AND datname = current_database() AND backend_start > since.t")) {
          while (rs.next()) {
            started.add(rs.getInt(1));
          }
        }
        Thread.sleep(20);
      }
    }
    return started;
  }

  @Test
  void singleRowReadsGiveTheirConnectionBack() {
    Set<Integer> backends = new HashSet<>();
    for (int i = 0; i < 30; i++) {
      backends.add(backend());
    }
    // Sequential reads need one connection at a time: the pool's initial two at most.
    assertThat(backends).hasSizeLessThanOrEqualTo(2);
    assertThat(Queries.first(database.queries().query("SELECT g FROM generate_series(1, 3) g",
        row -> row.get(0, Integer.class))).block(WAIT)).isEqualTo(1);
    assertThat(backends).contains(backend());
  }

  @Test
  void aStatementItsCallerCancelledClosesItsConnection() {
    Integer cancelled = database.queries()
        .query("SELECT pg_backend_pid() FROM generate_series(1, 100000)", row -> row.get(0, Integer.class))
        .take(1)
        .blockFirst(WAIT);
    assertThat(cancelled).isNotNull();
    Set<Integer> later = new HashSet<>();
    for (int i = 0; i < 10; i++) {
      later.add(backend());
    }
    assertThat(later).doesNotContain(cancelled);
  }

  /**
   * The pool has no acquire timeout of its own (it would arm a timer on another thread for every
   * statement): the statement timeout covers waiting for a connection, so a full pool fails a
   * statement at that timeout instead of holding it until a connection comes free.
   */
  @Test
  void aStatementWaitingForAFullPoolFailsAtItsStatementTimeout() {
    DatabaseConfig base = db.config(1);
    Database one = Database.connect(new DatabaseConfig(base.url(), base.user(), base.password(), base.schema(), 1,
        base.connectTimeout(), base.tls(), Duration.ofSeconds(1)));
    try {
      // The pool's only connection, held for 4 s.
      Disposable holder = Mono.usingWhen(one.pool().create(), c -> Mono.delay(Duration.ofSeconds(4)), c -> c.close())
          .subscribe();
      long start = System.nanoTime();
      Throwable failure = one.queries().one("SELECT 1", row -> 1).then(Mono.<Throwable>empty())
          .onErrorResume(Mono::just).block(WAIT);
      Duration waited = Duration.ofNanos(System.nanoTime() - start);
      assertThat(failure).isInstanceOf(StatementTimeoutException.class);
      assertThat(waited).isLessThan(Duration.ofSeconds(4));
      holder.dispose();
      // The cancelled wait left nothing behind: the connection, once given back, serves the next statement.
      assertThat(one.queries().one("SELECT 1", row -> row.get(0, Integer.class)).block(WAIT)).isEqualTo(1);
    } finally {
      one.close().block(WAIT);
    }
  }

  @Test
  void anIdleRelayOpensNoNewBackends() throws Exception {
    Relays.endpoints(database, new EndpointSpec("e", List.of()));
    // Heartbeats, retry-timer probes and gauges every 200 ms: each a single-row read.
    try (var relay = Relays.start(database, Relays.fast().build(), RecordingDeliverer.succeeding())) {
      db.execute("SELECT {schema}.publish('t', '{}'::jsonb)");
      Thread.sleep(1500); // the pool grows to what the relay uses at once
      assertThat(relayBackendsStartedWithin(3000)).as("relay backends started while idle").isEmpty();
      assertThat(relay.engine().health().ok()).isTrue();
    }
  }
}
