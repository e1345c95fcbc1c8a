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
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The claim's plan, under a forced generic plan (pitfall: a prepared claim with {@code LIMIT $n}
 * once got a generic plan that hash-joined the whole table, 450-600 ms vs 1.7 ms on 1M rows), on
 * 200k pending rows with history, an endpoint with ordering keys, and then 100,000 idle endpoints
 * more. Index scans only; and the idle endpoints cost nothing: the claim reads no more pages with
 * 100,000 idle endpoints than with 10 (buffer counts, not timings, so a noisy machine cannot make
 * it flaky). The plans and EXPLAIN (ANALYZE, BUFFERS) are printed.
 */
@ExtendWith(PostgresExtension.class)
class ClaimPlanIT {
  private static final Pattern BUFFERS = Pattern.compile("Buffers: shared hit=(\\d+)(?: read=(\\d+))?");
  private static final String PARAMS = "(bigint, uuid, uuid, text[], int[], text[], int, int, text, text[], int, bigint)";
  private final TestDatabase db;

  ClaimPlanIT(TestDatabase db) {
    this.db = db;
  }

  @Test
  void claimUsesOnlyIndexesUnderAGenericPlanAndIdleEndpointsCostNothing() throws Exception {
    Database database = Relays.migrated(db);
    try {
      List<EndpointSpec> busy = List.of(new EndpointSpec("big", List.of("big.*")),
          new EndpointSpec("small", List.of("small.*")), new EndpointSpec("keyed", List.of("keyed.*")));
      List<EndpointSpec> ten = IntStream.range(0, 7).mapToObj(i -> new EndpointSpec("idle-" + i, List.of("idle.*")))
          .toList();
      Registry me = new Registry(database, concat(busy, ten), "plan-test");
      me.register().block(WAIT);
      db.execute("SELECT {schema}.publish_batch((SELECT jsonb_agg(jsonb_build_object('event_id', 'p-' || g, "
          + "'event_type', CASE WHEN g % 100 = 0 THEN 'small.x' ELSE 'big.x' END, 'payload', '{}'::jsonb)) "
          + "FROM generate_series(1, 200000) g))");
      db.execute("SELECT {schema}.publish_batch((SELECT jsonb_agg(jsonb_build_object('event_id', 'k-' || g, "
          + "'event_type', 'keyed.x', 'payload', '{}'::jsonb, 'ordering_key', 'key-' || (g % 100))) "
          + "FROM generate_series(1, 2000) g))");
      // History the partial indexes must skip.
      db.execute("UPDATE {schema}.delivery SET state = 'delivered', settled_at = now() WHERE id % 4 = 0");
      analyze();
      assertThat(db.count("SELECT count(*) FROM {schema}.delivery WHERE state = 'pending'")).isGreaterThanOrEqualTo(150_000);

      try (Connection c = db.jdbc(); Statement s = c.createStatement()) {
        s.execute("SET plan_cache_mode = force_generic_plan");
        s.execute("PREPARE claim" + PARAMS + " AS " + database.sql().claim());
        String discovery = "EXECUTE claim(60000, gen_random_uuid(), '" + me.instance() + "', '{}', '{}', '{}', 96, 100, '', NULL, 262144, 8388608)";
        String targeted = "EXECUTE claim(60000, gen_random_uuid(), '" + me.instance()
            + "', '{big,keyed}', '{40,40}', '{\"\",key-50}', 96, 100, '', '{big,keyed}', 262144, 8388608)";

        String plan = explain(s, "EXPLAIN " + discovery);
        System.out.println("Generic claim plan:\n" + plan);
        assertThat(plan).contains("delivery_due_idx", "delivery_key_idx", "delivery_pkey", "message_pkey");
        // (With 10 endpoints a sequential scan of the one-page endpoint table is fine; see below for 100,000.)
        assertThat(plan).doesNotContain("Seq Scan on delivery", "Seq Scan on message", "Hash Join", "Merge Join");

        c.setAutoCommit(false);
        explain(s, "EXPLAIN (ANALYZE, BUFFERS) " + discovery); // warm: set hint bits after the bulk update
        c.rollback();
        String tenEndpoints = explain(s, "EXPLAIN (ANALYZE, BUFFERS) " + discovery);
        c.rollback();
        System.out.println("Discovery claim, 10 endpoints:\n" + tenEndpoints);
        assertThat(tenEndpoints).contains("rows=100 loops=1").doesNotContain("Seq Scan on delivery");
        String targetedRun = explain(s, "EXPLAIN (ANALYZE, BUFFERS) " + targeted);
        c.rollback();
        System.out.println("Targeted claim (big 40, keyed 40 from key-50):\n" + targetedRun);
        assertThat(targetedRun).contains("rows=80 loops=1").doesNotContain("Seq Scan on delivery");
        c.setAutoCommit(true);

        List<EndpointSpec> many = IntStream.range(0, 100_000)
            .mapToObj(i -> new EndpointSpec("idle-many-" + i, List.of("idle.*"))).toList();
        // Registering 100,000 configured endpoints takes seconds, longer than the default
        // statement timeout on a loaded machine: set-up only, its own pool with a longer one.
        Database patient = Database.connect(db.config(2).withStatementTimeout(java.time.Duration.ofMinutes(2)));
        try {
          new Registry(patient, concat(concat(busy, ten), many), "plan-test-many").register()
              .block(java.time.Duration.ofMinutes(2));
        } finally {
          patient.close().block(WAIT);
        }
        s.execute("UPDATE " + db.schema() + ".instance_endpoint SET instance_id = '" + me.instance()
            + "' WHERE endpoint LIKE 'idle-many-%'");
        analyze();
        assertThat(db.count("SELECT count(*) FROM {schema}.endpoint")).isEqualTo(100_010);

        c.setAutoCommit(false);
        String hundredThousand = explain(s, "EXPLAIN (ANALYZE, BUFFERS) " + discovery);
        c.rollback();
        System.out.println("Discovery claim, 100,010 endpoints (100,000 idle):\n" + hundredThousand);
        assertThat(hundredThousand).contains("rows=100 loops=1", "endpoint_pkey")
            .containsPattern("Index (Only )?Scan using instance_endpoint_\\w+ on instance_endpoint")
            .doesNotContain("Seq Scan", "Hash Join", "Merge Join");
        long before = buffers(tenEndpoints);
        long after = buffers(hundredThousand);
        System.out.printf("Pages read by the claim: %d with 10 endpoints, %d with 100,010%n", before, after);
        assertThat(after).as("pages read with 100,000 idle endpoints vs 10").isLessThanOrEqualTo(2 * before);
      }
    } finally {
      database.close().block(WAIT);
    }
  }

  private void analyze() {
    db.execute("ANALYZE {schema}.delivery");
    db.execute("ANALYZE {schema}.message");
    db.execute("ANALYZE {schema}.endpoint");
    db.execute("ANALYZE {schema}.instance_endpoint");
  }

  private static <T> List<T> concat(List<T> a, List<T> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
  }

  /** Pages the whole statement touched (the top node's buffer counts). */
  private static long buffers(String analyzed) {
    Matcher m = BUFFERS.matcher(analyzed);
    assertThat(m.find()).as("buffer counts in:\n" + analyzed).isTrue();
    return Long.parseLong(m.group(1)) + (m.group(2) == null ? 0 : Long.parseLong(m.group(2)));
  }

  static String explain(Statement s, String sql) throws Exception {
    StringBuilder plan = new StringBuilder();
    try (ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        plan.append(rs.getString(1)).append('\n');
      }
    }
    return plan.toString();
  }
}
