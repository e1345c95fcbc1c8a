package dev.relay.engine;

import static dev.relay.engine.Relays.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.engine.db.Database;
import dev.relay.engine.endpoint.EndpointSpec;
import dev.relay.engine.registry.Registry;
import dev.relay.engine.testing.PostgresExtension;
import dev.relay.engine.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class PendingCountPlanIT {
  private final TestDatabase db;

  PendingCountPlanIT(TestDatabase db) {
    this.db = db;
  }

  /**
   * The backlog gauge (every relay, every gauge refresh), the unserved check and the admin endpoint
   * list count each endpoint's pending rows through the pending indexes, not by reading the whole
   * table: a retained day of delivered history would be read again per endpoint every refresh.
   * Forced generic plans, 60,000 rows of which 45 are pending (keyed and unkeyed); the counts are
   * checked too.
   */
  @Test
  void pendingCountsReadThePendingIndexesNotTheHistory() throws Exception {
    Database database = Relays.migrated(db);
    try {
      Registry me = new Registry(database, List.of(new EndpointSpec("a", List.of("a.*")),
          new EndpointSpec("b", List.of("b.*"))), "gauge-test");
      me.register().block(WAIT);
      db.execute("SELECT {schema}.publish_batch((SELECT jsonb_agg(jsonb_build_object('event_type', "
          + "CASE WHEN g % 2 = 0 THEN 'a.x' ELSE 'b.x' END, 'payload', '{}'::jsonb, "
          + "'ordering_key', CASE WHEN g % 3 = 0 THEN 'key-' || (g % 7) END)) FROM generate_series(1, 60000) g))");
      // Delivered history, except a few rows per endpoint and kind (a 'c' endpoint no relay serves too).
      db.execute("UPDATE {schema}.delivery SET state = 'delivered', settled_at = now() WHERE message_id % 2000 <> 1");
      db.execute("SELECT {schema}.publish('c.x', '{}')");
      Registry.declare(database, List.of(new EndpointSpec("c", List.of("c.*")))).block(WAIT);
      db.execute("INSERT INTO {schema}.delivery (message_id, endpoint) "
          + "SELECT id, 'c' FROM {schema}.message WHERE event_type = 'c.x'");
      for (String table : List.of("delivery", "message", "endpoint", "instance_endpoint")) {
        db.execute("ANALYZE {schema}." + table);
      }
      long pendingA = db.count("SELECT count(*) FROM {schema}.delivery WHERE state = 'pending' AND endpoint = 'a'");
      long pendingB = db.count("SELECT count(*) FROM {schema}.delivery WHERE state = 'pending' AND endpoint = 'b'");
      assertThat(db.count("SELECT count(*) FROM {schema}.delivery WHERE state = 'pending' AND ordering_key IS NOT NULL"))
          .isPositive();
      assertThat(pendingA + pendingB).isEqualTo(30);

      try (Connection c = db.jdbc(); Statement s = c.createStatement()) {
        s.execute("SET plan_cache_mode = force_generic_plan");
        s.execute("PREPARE backlog(uuid, boolean) AS " + database.sql().backlog());
        s.execute("PREPARE unserved(uuid, bigint) AS " + database.sql().unserved());
        s.execute("PREPARE endpoints(text) AS " + database.sql().listEndpoints());
        List<String> runs = List.of("EXECUTE backlog('" + me.instance() + "', false)",
            "EXECUTE unserved('" + me.instance() + "', 60000)", "EXECUTE endpoints(NULL)");
        for (String run : runs) {
          String plan = ClaimPlanIT.explain(s, "EXPLAIN " + run);
          System.out.println("Generic plan of " + run + ":\n" + plan);
          assertThat(plan).as(run).contains("delivery_due_idx", "delivery_key_idx").doesNotContain("Seq Scan on delivery");
        }
        assertThat(rows(s, runs.get(0), "endpoint", "backlog")).containsExactlyInAnyOrder("a=" + pendingA, "b=" + pendingB);
        assertThat(rows(s, runs.get(1), "endpoint", "pending")).containsExactly("c=1");
        assertThat(rows(s, runs.get(2), "name", "backlog"))
            .containsExactly("a=" + pendingA, "b=" + pendingB, "c=1");
      }
    } finally {
      database.close().block(WAIT);
    }
  }

  /** {@code key=value} of two columns of each row. */
  private static List<String> rows(Statement s, String sql, String key, String value) throws Exception {
    List<String> rows = new ArrayList<>();
    try (ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        rows.add(rs.getString(key) + "=" + rs.getLong(value));
      }
    }
    return rows;
  }
}
