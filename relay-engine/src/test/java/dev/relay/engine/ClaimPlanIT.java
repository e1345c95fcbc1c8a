package dev.relay.engine;

import static dev.relay.engine.Relays.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.engine.db.Database;
import dev.relay.engine.endpoint.EndpointSpec;
import dev.relay.engine.testing.PostgresExtension;
import dev.relay.engine.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Pitfall: a prepared claim with {@code LIMIT $n} once got a generic plan that hash-joined the
 * whole table (450-600 ms vs 1.7 ms on 1M rows). Check the plan itself, under a forced generic
 * plan with 200k pending rows: index scans on the due index and the primary key, no sequential
 * scan of the delivery table, no hash join.
 */
@ExtendWith(PostgresExtension.class)
class ClaimPlanIT {
  private final TestDatabase db;

  ClaimPlanIT(TestDatabase db) {
    this.db = db;
  }

  @Test
  void claimUsesTheIndexesUnderAGenericPlanWith200kPendingRows() throws Exception {
    Database database = Relays.migrated(db);
    try {
      Relays.endpoints(database, new EndpointSpec("big", List.of("big.*")), new EndpointSpec("small", List.of("small.*")),
          new EndpointSpec("idle", List.of("idle.*")));
      db.execute("INSERT INTO {schema}.message (event_id, event_type, payload) "
          + "SELECT 'p-' || g, CASE WHEN g % 100 = 0 THEN 'small.x' ELSE 'big.x' END, '{}'::jsonb "
          + "FROM generate_series(1, 200000) g");
      // History the partial index must skip.
      db.execute("UPDATE {schema}.delivery SET state = 'delivered', settled_at = now() WHERE id % 4 = 0");
      db.execute("ANALYZE {schema}.delivery");
      db.execute("ANALYZE {schema}.message");
      db.execute("ANALYZE {schema}.endpoint");
      assertThat(db.count("SELECT count(*) FROM {schema}.delivery WHERE state = 'pending'")).isGreaterThanOrEqualTo(150_000);

      String claim = database.sql().claim();
      try (Connection c = db.jdbc(); Statement s = c.createStatement()) {
        s.execute("SET plan_cache_mode = force_generic_plan");
        s.execute("PREPARE claim(bigint, uuid, text[], int[], int, text[], int) AS " + claim);
        String plan = explain(s, "EXPLAIN EXECUTE claim(60000, gen_random_uuid(), '{}', '{}', 100, '{}', 100)");
        System.out.println("Generic claim plan:\n" + plan);
        assertThat(plan).contains("delivery_due_idx").contains("delivery_pkey").contains("message_pkey");
        assertThat(plan).doesNotContain("Seq Scan on delivery").doesNotContain("Hash Join");

        c.setAutoCommit(false);
        String analyzed = explain(s, "EXPLAIN (ANALYZE, BUFFERS) EXECUTE claim(60000, gen_random_uuid(), '{}', '{}', 100, '{}', 100)");
        c.rollback();
        System.out.println("Generic claim, executed:\n" + analyzed);
        assertThat(analyzed).contains("rows=100 loops=1").doesNotContain("Seq Scan on delivery");
      }
    } finally {
      database.close().block(WAIT);
    }
  }

  private static String explain(Statement s, String sql) throws Exception {
    StringBuilder plan = new StringBuilder();
    try (ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        plan.append(rs.getString(1)).append('\n');
      }
    }
    return plan.toString();
  }
}
