package dev.relay.engine;

import static dev.relay.engine.Relays.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.engine.db.Database;
import dev.relay.engine.endpoint.EndpointSpec;
import dev.relay.engine.registry.Registry;
import dev.relay.engine.testing.PostgresExtension;
import dev.relay.engine.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/** relay.publish as applications call it: plain SQL over JDBC, in their own transactions. */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PublishIT {
  private final TestDatabase db;
  private Database database;

  PublishIT(TestDatabase db) {
    this.db = db;
  }

  @BeforeAll
  void migrate() {
    database = Relays.migrated(db);
    // The engine pushes delivery.max-payload-bytes here at start; a small one to test it.
    db.execute("UPDATE {schema}.setting SET value = '1024' WHERE key = 'max_payload_bytes'");
  }

  @AfterAll
  void close() {
    database.close().block(WAIT);
  }

  @BeforeEach
  void clean() {
    db.execute("TRUNCATE {schema}.delivery, {schema}.message, {schema}.endpoint CASCADE");
    Relays.endpoints(database,
        new EndpointSpec("invoices", List.of("invoice.*")),
        new EndpointSpec("everything", List.of()),
        new EndpointSpec("users", List.of("user.created", "user.deleted")));
  }

  private long publish(Connection c, String sql, Object... params) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(db.resolve(sql))) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      try (var rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private List<String> endpointsOf(String eventId) {
    return db.rows("SELECT d.endpoint FROM {schema}.delivery d JOIN {schema}.message m ON m.id = d.message_id "
        + "WHERE m.event_id = ? ORDER BY 1", eventId).stream().map(r -> (String) r.get(0)).toList();
  }

  @Test
  void fansOutToSubscribedEndpointsByWildcard() throws SQLException {
    try (Connection c = db.jdbc()) {
      publish(c, "SELECT {schema}.publish('invoice.paid', '{\"id\": 1}'::jsonb, event_id => 'e-inv')");
      publish(c, "SELECT {schema}.publish('user.created', '{}'::jsonb, event_id => 'e-user')");
      publish(c, "SELECT {schema}.publish('invoice_paid', '{}'::jsonb, event_id => 'e-underscore')");
      publish(c, "SELECT {schema}.publish('user.created', '{}'::jsonb, event_id => 'e-target', endpoint => 'invoices')");
    }
    assertThat(endpointsOf("e-inv")).containsExactly("everything", "invoices");
    assertThat(endpointsOf("e-user")).containsExactly("everything", "users");
    // '_' is literal in patterns, not LIKE's any-character.
    assertThat(endpointsOf("e-underscore")).containsExactly("everything");
    assertThat(endpointsOf("e-target")).containsExactly("invoices");
  }

  @Test
  void sameEventIdTwiceCreatesNothingNew() throws SQLException {
    try (Connection c = db.jdbc()) {
      long first = publish(c, "SELECT {schema}.publish('invoice.paid', '{\"v\": 1}'::jsonb, NULL, 'e-dup')");
      long second = publish(c, "SELECT {schema}.publish('invoice.paid', '{\"v\": 2}'::jsonb, NULL, 'e-dup')");
      assertThat(second).isEqualTo(first);
    }
    assertThat(db.count("SELECT count(*) FROM {schema}.message WHERE event_id = 'e-dup'")).isEqualTo(1);
    assertThat(endpointsOf("e-dup")).containsExactly("everything", "invoices");
    assertThat(db.scalar("SELECT payload->>'v' FROM {schema}.message WHERE event_id = 'e-dup'")).isEqualTo("1");
  }

  @Test
  void concurrentPublishesOfOneEventIdCreateOneDeliveryPerEndpoint() throws Exception {
    int publishers = 8;
    ExecutorService pool = Executors.newFixedThreadPool(publishers);
    try {
      for (int round = 0; round < 20; round++) {
        String eventId = "e-race-" + round;
        CyclicBarrier barrier = new CyclicBarrier(publishers);
        List<Future<Long>> ids = new ArrayList<>();
        for (int p = 0; p < publishers; p++) {
          ids.add(pool.submit(() -> {
            try (Connection c = db.jdbc()) {
              c.setAutoCommit(false);
              barrier.await();
              long id = publish(c, "SELECT {schema}.publish('invoice.paid', '{}'::jsonb, NULL, ?)", eventId);
              c.commit();
              return id;
            }
          }));
        }
        List<Long> results = new ArrayList<>();
        for (Future<Long> f : ids) {
          results.add(f.get());
        }
        assertThat(results).as("every publisher gets the one message id").containsOnly(results.get(0));
        assertThat(endpointsOf(eventId)).containsExactly("everything", "invoices");
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void rolledBackPublishLeavesNothing() throws SQLException {
    try (Connection c = db.jdbc()) {
      c.setAutoCommit(false);
      publish(c, "SELECT {schema}.publish('invoice.paid', '{}'::jsonb, NULL, 'e-rollback')");
      c.rollback();
    }
    assertThat(db.count("SELECT count(*) FROM {schema}.message WHERE event_id = 'e-rollback'")).isZero();
    assertThat(db.count("SELECT count(*) FROM {schema}.delivery")).isZero();
  }

  @Test
  void badInputFailsTheCallersStatementWithAClearMessage() throws SQLException {
    try (Connection c = db.jdbc()) {
      assertThatThrownBy(() -> publish(c, "SELECT {schema}.publish(NULL, '{}'::jsonb)"))
          .hasMessageContaining("relay.publish: event_type must not be null or empty");
      assertThatThrownBy(() -> publish(c, "SELECT {schema}.publish('x', NULL)"))
          .hasMessageContaining("payload must not be null");
      assertThatThrownBy(() -> publish(c, "SELECT {schema}.publish('x', '{}'::jsonb, endpoint => 'nope')"))
          .hasMessageContaining("unknown endpoint \"nope\"")
          .hasMessageContaining("Known configured endpoints: everything, invoices, users");
      String big = "{\"data\": \"" + "x".repeat(2000) + "\"}";
      assertThatThrownBy(() -> publish(c, "SELECT {schema}.publish('x', ?::jsonb)", big))
          .hasMessageContaining("payload is 2012 bytes, over the limit of 1024 bytes");
      assertThatThrownBy(() -> publish(c, "SELECT {schema}.publish('x', '{}'::jsonb, event_id => 'has space')"))
          .hasMessageContaining("event_id must be 1-255 printable ASCII characters");
    }
    assertThat(db.count("SELECT count(*) FROM {schema}.message")).isZero();
  }

  @Test
  void anApplicationRoleWithTheDocumentedGrantsCanPublish() throws SQLException {
    String role = "app_" + db.schema();
    db.execute("DROP ROLE IF EXISTS " + role);
    db.execute("CREATE ROLE " + role);
    // Exactly the grants in docs/publishing.md.
    db.execute("GRANT USAGE ON SCHEMA {schema} TO " + role);
    db.execute("GRANT EXECUTE ON FUNCTION {schema}.publish(text, jsonb, text, text, text, text, text, text, text, text), "
        + "{schema}.publish_batch(jsonb) TO " + role);
    db.execute("GRANT SELECT ON {schema}.endpoint, {schema}.setting, {schema}.instance_endpoint, {schema}.instance TO "
        + role);
    db.execute("GRANT SELECT, INSERT ON {schema}.message, {schema}.delivery TO " + role);
    db.execute("GRANT UPDATE (state, settled_at, last_error) ON {schema}.delivery TO " + role);
    new Registry(database, Relays.declared(database), "idle relay", true).register().block(WAIT);
    // A runtime endpoint, served by that relay: publishing to it reads relay.instance too.
    db.execute("SELECT {schema}.create_endpoint('grants-rt', 'https://grants.example/hook', tenant => 'grants')");
    try (Connection c = db.jdbc()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("SET LOCAL ROLE " + role);
      }
      publish(c, "SELECT {schema}.publish('invoice.paid', '{}'::jsonb, ordering_key => 'k', event_id => 'as-app')");
      publish(c, "SELECT ({schema}.publish_batch('[{\"event_type\": \"user.created\", \"payload\": {}}]'))[1]");
      publish(c, "SELECT {schema}.publish('invoice.paid', '{}'::jsonb, event_id => 'as-app-rt', tenant => 'grants')");
      publish(c, "SELECT ({schema}.publish_batch('[{\"event_type\": \"invoice.paid\", \"payload\": {},"
          + " \"event_id\": \"as-app-rt2\", \"endpoint\": \"grants-rt\"}]'))[1]");
      // Superseding updates earlier deliveries: the column grant is enough, in both functions.
      publish(c, "SELECT {schema}.publish('invoice.paid', '{}'::jsonb, event_id => 'as-app-s1', supersede_key => 's')");
      publish(c, "SELECT ({schema}.publish_batch('[{\"event_type\": \"invoice.paid\", \"payload\": {},"
          + " \"event_id\": \"as-app-s2\", \"supersede_key\": \"s\"}]'))[1]");
      c.commit();
    } finally {
      db.execute("DROP OWNED BY " + role);
      db.execute("DROP ROLE " + role);
    }
    assertThat(endpointsOf("as-app")).containsExactly("everything", "invoices");
    assertThat(endpointsOf("as-app-rt")).containsExactly("grants-rt");
    assertThat(endpointsOf("as-app-rt2")).containsExactly("grants-rt");
    assertThat(db.count("SELECT count(*) FROM {schema}.message")).isEqualTo(6);
    assertThat(db.count("SELECT count(*) FROM {schema}.delivery d JOIN {schema}.message m ON m.id = d.message_id"
        + " WHERE m.event_id = 'as-app-s1' AND d.state = 'superseded'")).isEqualTo(2);
  }

  @Test
  void orderingKeyAndContentTypeAreBoundedInThePublishersTransaction() throws SQLException {
    try (Connection c = db.jdbc()) {
      assertThatThrownBy(() -> publish(c, "SELECT {schema}.publish('x', '{}'::jsonb, ordering_key => ?)", "k".repeat(256)))
          .hasMessageContaining("ordering_key must be 1-255 printable characters, was 256 characters long");
      assertThatThrownBy(() -> publish(c, "SELECT {schema}.publish('x', '{}'::jsonb, ordering_key => ?)", "a\tb"))
          .hasMessageContaining("ordering_key must be 1-255 printable characters");
      assertThatThrownBy(() -> publish(c, "SELECT {schema}.publish('x', '{}'::jsonb, content_type => ?)", "x".repeat(300)))
          .hasMessageContaining("content_type must be a media type");
      publish(c, "SELECT {schema}.publish('x', '{}'::jsonb, ordering_key => ?)", "k".repeat(255));
    }
    assertThat(db.count("SELECT count(*) FROM {schema}.message")).isEqualTo(1);
  }

  @Test
  void aBatchPublishesAllOrNothingWithTheSameRulesAndReturnsIdsInOrder() throws SQLException {
    try (Connection c = db.jdbc()) {
      assertThatThrownBy(() -> publish(c, "SELECT ({schema}.publish_batch(?::jsonb))[1]",
          "[{\"event_type\": \"invoice.paid\", \"payload\": {}}, {\"event_type\": \"\", \"payload\": {}}]"))
          .hasMessageContaining("relay.publish_batch: event 2: event_type must not be null or empty");
      assertThatThrownBy(() -> publish(c, "SELECT ({schema}.publish_batch(?::jsonb))[1]",
          "[{\"event_type\": \"x\", \"payload\": {}, \"endpoint\": \"nope\"}]"))
          .hasMessageContaining("unknown endpoint \"nope\"");
      assertThatThrownBy(() -> publish(c, "SELECT ({schema}.publish_batch(?::jsonb))[1]", "{\"not\": \"an array\"}"))
          .hasMessageContaining("events must be a JSON array of objects, was object");
      assertThat(db.count("SELECT count(*) FROM {schema}.message")).isZero();

      publish(c, "SELECT {schema}.publish('user.created', '{}'::jsonb, event_id => 'before')");
      try (PreparedStatement ps = c.prepareStatement(db.resolve("SELECT {schema}.publish_batch(?::jsonb)"))) {
        ps.setString(1, "[{\"event_type\": \"invoice.paid\", \"payload\": {\"n\": 1}, \"event_id\": \"b-1\"},"
            + "{\"event_type\": \"user.created\", \"payload\": {}, \"event_id\": \"before\"},"
            + "{\"event_type\": \"audit.x\", \"payload\": {}, \"endpoint\": \"invoices\", \"event_id\": \"b-3\"},"
            + "{\"event_type\": \"invoice.paid\", \"payload\": {\"n\": 1}, \"event_id\": \"b-1\"},"
            + "{\"event_type\": \"invoice.paid\", \"payload\": {}, \"endpoint\": \"everything\", \"event_id\": \"b-5\"},"
            + "{\"event_type\": \"invoice.paid\", \"payload\": {}, \"event_id\": \"b-6\"}]");
        try (var rs = ps.executeQuery()) {
          rs.next();
          Long[] ids = (Long[]) rs.getArray(1).getArray();
          assertThat(ids).hasSize(6);
          assertThat(ids[0]).isEqualTo(ids[3]).isLessThan(ids[2]);
          assertThat(ids[1]).isEqualTo(db.count("SELECT id FROM {schema}.message WHERE event_id = 'before'"));
        }
      }
    }
    assertThat(endpointsOf("b-1")).containsExactly("everything", "invoices");
    assertThat(endpointsOf("b-3")).containsExactly("invoices");
    assertThat(endpointsOf("b-5")).as("same type, but targeted").containsExactly("everything");
    assertThat(endpointsOf("b-6")).containsExactly("everything", "invoices");
    assertThat(db.count("SELECT count(*) FROM {schema}.message")).isEqualTo(5);
  }

  @Test
  void aLargeBatchKeepsArrayOrderPerKeyAndStopsAtTheFirstBadEventInOrder() throws SQLException {
    // 3,000 events over three keys and unkeyed ones: each key's message ids grow in array order.
    String events = "(SELECT jsonb_agg(jsonb_build_object('event_id', 'ord-' || g, 'event_type', 'invoice.paid', "
        + "'payload', jsonb_build_object('n', g), 'ordering_key', CASE WHEN g % 4 = 0 THEN NULL ELSE 'k' || (g % 4) END) "
        + "ORDER BY g) FROM generate_series(1, 3000) g)";
    db.execute("SELECT {schema}.publish_batch(" + events + ")");
    assertThat(db.count("SELECT count(*) FROM {schema}.message WHERE event_id LIKE 'ord-%'")).isEqualTo(3000);
    assertThat(db.count("SELECT count(*) FROM (SELECT m.id < lead(m.id) OVER w AS grows FROM {schema}.message m "
        + "WHERE m.ordering_key IS NOT NULL WINDOW w AS (PARTITION BY m.ordering_key "
        + "ORDER BY substr(m.event_id, 5)::int)) x WHERE NOT x.grows")).isZero();
    assertThat(db.count("SELECT count(*) FROM {schema}.delivery d JOIN {schema}.message m ON m.id = d.message_id "
        + "WHERE m.event_id LIKE 'ord-%'")).as("invoices and everything").isEqualTo(6000);

    // Bad events late in a large batch: the first one in array order is named, nothing is written.
    long before = db.count("SELECT count(*) FROM {schema}.message");
    try (Connection c = db.jdbc()) {
      String bad = "(SELECT jsonb_agg(CASE g WHEN 2500 THEN jsonb_build_object('event_type', 'x', 'payload', '{}'::jsonb, "
          + "'endpoint', 'nope') WHEN 2600 THEN '\"not an object\"'::jsonb ELSE jsonb_build_object('event_type', "
          + "'invoice.paid', 'payload', jsonb_build_object('n', g)) END ORDER BY g) FROM generate_series(1, 3000) g)";
      assertThatThrownBy(() -> publish(c, "SELECT cardinality({schema}.publish_batch(" + bad + "))"))
          .hasMessageContaining("relay.publish_batch: event 2500: unknown endpoint \"nope\"");
      // The limit is on the payload as sent: a number of a few bytes stored is 1,101 digits sent.
      assertThatThrownBy(() -> publish(c, "SELECT cardinality({schema}.publish_batch(?::jsonb))",
          "[{\"event_type\": \"t\", \"payload\": {\"n\": 1e1100}}]"))
          .hasMessageContaining("relay.publish_batch: event 1: payload is 1108 bytes, over the limit of 1024 bytes");
      String bad2 = bad.replace("WHEN 2500", "WHEN 2700");
      assertThatThrownBy(() -> publish(c, "SELECT cardinality({schema}.publish_batch(" + bad2 + "))"))
          .hasMessageContaining("relay.publish_batch: event 2600: must be a JSON object, was string");
    }
    assertThat(db.count("SELECT count(*) FROM {schema}.message")).isEqualTo(before);
  }

  @Test
  void generatedEventIdsAreUniqueAndTimeOrdered() throws SQLException {
    try (Connection c = db.jdbc()) {
      for (int i = 0; i < 20; i++) {
        publish(c, "SELECT {schema}.publish('user.created', '{}'::jsonb)");
      }
    }
    db.execute("SELECT {schema}.publish_batch((SELECT jsonb_agg(jsonb_build_object('event_type', 'user.created', "
        + "'payload', '{}'::jsonb)) FROM generate_series(1, 500)))");
    assertThat(db.count("SELECT count(*) FROM {schema}.message WHERE event_id ~ '^msg_[0-9a-f]{32}$'")).isEqualTo(520);
    // The first 12 hex digits are the publish time in Unix milliseconds, so ids sort by time.
    assertThat(db.count("SELECT count(*) FROM {schema}.message WHERE abs(('x' || substr(event_id, 5, 12))::bit(48)::bigint "
        + "- (extract(epoch FROM created_at) * 1000)::bigint) > 60000")).isZero();
  }

  @Test
  void oneNotifyPerPublishingStatementWhenARelayIsIdleForItsEndpoints() throws Exception {
    // A registered relay, idle for every endpoint (nothing marked as drained).
    new Registry(database, Relays.declared(database), "idle relay").register().block(WAIT);
    try (Connection listener = db.jdbc(); Connection app = db.jdbc()) {
      try (Statement s = listener.createStatement()) {
        s.execute("LISTEN \"" + db.schema() + "_wakeup\"");
      }
      try (Statement s = app.createStatement()) {
        s.execute(db.resolve("SELECT {schema}.publish_batch((SELECT jsonb_agg(jsonb_build_object("
            + "'event_id', 'bulk-' || g, 'event_type', 'invoice.paid', 'payload', '{}'::jsonb)) "
            + "FROM generate_series(1, 500) g))"));
      }
      PGNotification[] got = listener.unwrap(PGConnection.class).getNotifications(2000);
      assertThat(got).hasSize(1);
      assertThat(db.count("SELECT count(*) FROM {schema}.delivery")).isEqualTo(1000);
    }
  }
}
