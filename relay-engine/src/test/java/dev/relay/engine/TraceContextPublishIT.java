package dev.relay.engine;

import static dev.relay.engine.Relays.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.relay.engine.db.Database;
import dev.relay.engine.endpoint.EndpointSpec;
import dev.relay.engine.spi.Delivery;
import dev.relay.engine.testing.PostgresExtension;
import dev.relay.engine.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.jspecify.annotations.Nullable;

/**
 * Trace context from the publishing transaction (V4): the traceparent/tracestate arguments, the
 * transaction-local settings, publish_batch's fields, and malformed values that are dropped with a
 * counted warning instead of failing the publish.
 */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TraceContextPublishIT {
  static final String PARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  static final String OTHER = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  private final TestDatabase db;
  private Database database;

  TraceContextPublishIT(TestDatabase db) {
    this.db = db;
  }

  @BeforeAll
  void migrate() {
    database = Relays.migrated(db);
  }

  @AfterAll
  void close() {
    database.close().block(WAIT);
  }

  @BeforeEach
  void clean() {
    db.execute("TRUNCATE {schema}.delivery, {schema}.message, {schema}.endpoint CASCADE");
    Relays.endpoints(database, new EndpointSpec("hook", List.of()));
  }

  @Test
  void traceparentArgumentIsKeptWithItsTracestate() {
    db.execute("SELECT {schema}.publish('a.b', '{}', event_id => 'e1', traceparent => ?, tracestate => ?)",
        PARENT, "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7");
    assertThat(traceOf("e1")).containsExactly(PARENT, "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7");
  }

  @Test
  void existingCallsStillWorkAndCarryNoTraceContext() {
    db.execute("SELECT {schema}.publish('a.b', '{}', 'key', 'e1', 'hook', 'application/json')");
    assertThat(traceOf("e1")).containsExactly(null, null);
  }

  @Test
  void transactionLocalSettingIsReadAndEndsWithTheTransaction() throws SQLException {
    try (Connection c = db.jdbc()) {
      c.setAutoCommit(false);
      run(c, "SET LOCAL relay.traceparent = '" + PARENT + "'");
      run(c, "SET LOCAL relay.tracestate = 'vendor=value'");
      run(c, db.resolve("SELECT {schema}.publish('a.b', '{}', event_id => 'in-tx')"));
      c.commit();
      run(c, db.resolve("SELECT {schema}.publish('a.b', '{}', event_id => 'next-tx')"));
      c.commit();
    }
    assertThat(traceOf("in-tx")).containsExactly(PARENT, "vendor=value");
    assertThat(traceOf("next-tx")).containsExactly(null, null);
  }

  @Test
  void explicitArgumentWinsOverTheSetting() throws SQLException {
    try (Connection c = db.jdbc()) {
      c.setAutoCommit(false);
      run(c, "SET LOCAL relay.traceparent = '" + PARENT + "'");
      run(c, "SET LOCAL relay.tracestate = 'from=setting'");
      run(c, db.resolve("SELECT {schema}.publish('a.b', '{}', event_id => 'e1', traceparent => '" + OTHER + "')"));
      c.commit();
    }
    assertThat(traceOf("e1")).containsExactly(OTHER, null);
  }

  @Test
  void malformedTraceparentIsDroppedWithACountedWarningNeverAFailure() throws SQLException {
    long before = ignored();
    List<String> bad = List.of("garbage", PARENT.toUpperCase(java.util.Locale.ROOT),
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", PARENT + "-extra",
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", "x".repeat(10_000));
    List<String> warnings = new ArrayList<>();
    try (Connection c = db.jdbc()) {
      for (int i = 0; i < bad.size(); i++) {
        try (PreparedStatement ps = c.prepareStatement(
            db.resolve("SELECT {schema}.publish('a.b', '{}', event_id => ?, traceparent => ?, tracestate => 'k=v')"))) {
          ps.setString(1, "bad-" + i);
          ps.setString(2, bad.get(i));
          ps.executeQuery().close();
          warnings.add(String.valueOf(ps.getWarnings()));
        }
      }
    }
    for (int i = 0; i < bad.size(); i++) {
      assertThat(traceOf("bad-" + i)).as(bad.get(i)).containsExactly(null, null);
      assertThat(warnings.get(i)).contains("relay.publish: traceparent").contains("ignored");
    }
    assertThat(ignored() - before).isEqualTo(bad.size());
    assertThat(db.count("SELECT count(*) FROM {schema}.delivery")).isEqualTo(bad.size());
  }

  @Test
  void futureTraceparentVersionIsAccepted() {
    String future = "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-comes-next";
    db.execute("SELECT {schema}.publish('a.b', '{}', event_id => 'e1', traceparent => ?)", future);
    assertThat(traceOf("e1")).containsExactly(future, null);
  }

  @Test
  void malformedTracestateIsDroppedButTheTraceparentKept() {
    long before = ignored();
    for (String state : List.of("no-equals-sign", "UPPER=case", "k=v," + "m=v,".repeat(40), "k=" + "v".repeat(600),
        "k=a=b")) {
      db.execute("SELECT {schema}.publish('a.b', '{}', event_id => ?, traceparent => ?, tracestate => ?)",
          "s" + state.length(), PARENT, state);
      assertThat(traceOf("s" + state.length())).as(state).containsExactly(PARENT, null);
    }
    db.execute("SELECT {schema}.publish('a.b', '{}', event_id => 'alone', tracestate => 'k=v')");
    assertThat(traceOf("alone")).containsExactly(null, null);
    assertThat(ignored() - before).isEqualTo(6);
    db.execute("SELECT {schema}.publish('a.b', '{}', event_id => 'fine', traceparent => ?, tracestate => ?)",
        PARENT, "a=1, tenant@sys=x/y ,,b-c*d=~!");
    assertThat(traceOf("fine")).containsExactly(PARENT, "a=1, tenant@sys=x/y ,,b-c*d=~!");
  }

  @Test
  void batchEventsCarryTheirOwnTraceContextElseTheSetting() throws SQLException {
    long before = ignored();
    try (Connection c = db.jdbc()) {
      c.setAutoCommit(false);
      run(c, "SET LOCAL relay.traceparent = '" + PARENT + "'");
      run(c, db.resolve("SELECT {schema}.publish_batch('["
          + "{\"event_type\": \"a\", \"payload\": 1, \"event_id\": \"own\", \"traceparent\": \"" + OTHER + "\","
          + " \"tracestate\": \"k=v\"},"
          + "{\"event_type\": \"a\", \"payload\": 2, \"event_id\": \"inherited\"},"
          + "{\"event_type\": \"a\", \"payload\": 3, \"event_id\": \"broken\", \"traceparent\": 42}]')"));
      c.commit();
    }
    assertThat(traceOf("own")).containsExactly(OTHER, "k=v");
    assertThat(traceOf("inherited")).containsExactly(PARENT, null);
    assertThat(traceOf("broken")).containsExactly(null, null);
    assertThat(ignored() - before).isEqualTo(1);
    db.execute("SELECT {schema}.publish_batch('[{\"event_type\": \"a\", \"payload\": 1, \"event_id\": \"plain\"}]')");
    assertThat(traceOf("plain")).containsExactly(null, null);
  }

  @Test
  void malformedSettingIsWarnedAboutOncePerBatch() throws SQLException {
    long before = ignored();
    try (Connection c = db.jdbc()) {
      c.setAutoCommit(false);
      run(c, "SET LOCAL relay.traceparent = 'not-a-traceparent'");
      run(c, db.resolve("SELECT {schema}.publish_batch('[{\"event_type\": \"a\", \"payload\": 1},"
          + " {\"event_type\": \"a\", \"payload\": 2}, {\"event_type\": \"a\", \"payload\": 3}]')"));
      c.commit();
    }
    assertThat(ignored() - before).isEqualTo(1);
    assertThat(db.count("SELECT count(*) FROM {schema}.message WHERE traceparent IS NULL")).isEqualTo(3);
  }

  @Test
  void claimedDeliveryCarriesThePublishedTraceContext() {
    db.execute("SELECT {schema}.publish('a.b', '{}', event_id => 'e1', traceparent => ?, tracestate => 'k=v')",
        PARENT);
    db.execute("SELECT {schema}.publish('a.b', '{}', event_id => 'e2')");
    RecordingDeliverer deliverer = RecordingDeliverer.succeeding();
    try (Relays.Engine engine = Relays.start(database, Relays.fast().build(), deliverer)) {
      await().atMost(WAIT).until(() -> deliverer.attempts().size() == 2);
    }
    List<Delivery> delivered = deliverer.attempts().stream().map(RecordingDeliverer.Attempt::delivery).toList();
    assertThat(delivered).filteredOn(d -> d.eventId().equals("e1"))
        .singleElement().satisfies(d -> {
          assertThat(d.traceparent()).isEqualTo(PARENT);
          assertThat(d.tracestate()).isEqualTo("k=v");
        });
    assertThat(delivered).filteredOn(d -> d.eventId().equals("e2"))
        .singleElement().satisfies(d -> assertThat(d.traceparent()).isNull());
  }

  /** V3 -> V4 (and V8) drop and recreate relay.publish; an application role's EXECUTE grant survives. */
  @Test
  void upgradeKeepsTheExecuteGrantOnPublish() throws SQLException {
    String schema = db.schema() + "_up";
    String role = "app_" + Long.toHexString(System.nanoTime());
    try {
      flyway(schema, "3").migrate();
      db.execute("CREATE ROLE " + role);
      db.execute("REVOKE EXECUTE ON FUNCTION " + schema + ".publish(text, jsonb, text, text, text, text) FROM PUBLIC");
      db.execute("GRANT EXECUTE ON FUNCTION " + schema + ".publish(text, jsonb, text, text, text, text) TO " + role);
      flyway(schema, "latest").migrate();
      String signature = schema + ".publish(text, jsonb, text, text, text, text, text, text, text, text)";
      assertThat(db.scalar("SELECT has_function_privilege(?, ?, 'EXECUTE')", role, signature)).isEqualTo(true);
      assertThat(db.scalar("SELECT has_function_privilege('public', ?, 'EXECUTE')", signature)).isEqualTo(false);
      // The rest of docs/publishing.md's grants: the role publishes, and its malformed trace context is counted.
      db.execute("GRANT USAGE ON SCHEMA " + schema + " TO " + role);
      db.execute("GRANT SELECT ON " + schema + ".endpoint, " + schema + ".setting, " + schema + ".instance_endpoint TO "
          + role);
      db.execute("GRANT SELECT, INSERT ON " + schema + ".message, " + schema + ".delivery TO " + role);
      try (Connection c = db.jdbc()) {
        c.setAutoCommit(false);
        run(c, "SET LOCAL ROLE " + role);
        run(c, "SELECT " + schema + ".publish('a.b', '{}', traceparent => 'nonsense')");
        c.commit();
      }
      assertThat(db.count("SELECT last_value FROM " + schema + ".trace_context_ignored")).isEqualTo(1);
    } finally {
      db.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
      db.execute("DROP OWNED BY " + role);
      db.execute("DROP ROLE IF EXISTS " + role);
    }
  }

  private Flyway flyway(String schema, String target) {
    return Flyway.configure()
        .dataSource(db.server().jdbcUrl(), db.server().user(), db.server().password())
        .schemas(schema).defaultSchema(schema).createSchemas(true)
        .placeholders(java.util.Map.of("schema", schema))
        .locations("classpath:dev/relay/engine/db/migration")
        .table("relay_schema_history")
        .target(target)
        .load();
  }

  private List<@Nullable Object> traceOf(String eventId) {
    List<List<Object>> rows = db.rows("SELECT traceparent, tracestate FROM {schema}.message WHERE event_id = ?", eventId);
    assertThat(rows).as(eventId).hasSize(1);
    return Arrays.asList(rows.get(0).toArray());
  }

  private long ignored() {
    return db.count("SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM {schema}.trace_context_ignored");
  }

  private static void run(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}
